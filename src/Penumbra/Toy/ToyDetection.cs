namespace Penumbra.Toy;

/// <summary>
/// What the checker sees in an image: whether there is a foreground, its attributes, and the raw measurements they
/// come from (centroid in unit coordinates, estimated half-extent in unit coordinates, foreground area fraction).
/// When <see cref="Found"/> is false only <see cref="Background"/> is meaningful.
/// </summary>
public sealed record ToyDetection(bool Found, ToyShape Shape, ToyColor Color, ToyPosition Position, ToySize Size, ToyBackground Background)
{
    public double CentroidX { get; init; }
    public double CentroidY { get; init; }
    public double Radius { get; init; }
    public double AreaFraction { get; init; }

    /// <summary>The detected attributes as a prompt (only the background when nothing was found).</summary>
    public ToyPrompt ToPrompt() => Found ? new ToyPrompt(Shape, Color, Position, Size, Background) : new ToyPrompt(Background: Background);
}
