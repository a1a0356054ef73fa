namespace Penumbra.Toy;

/// <summary>
/// Everything that determines a toy image: the five attributes and an optional jitter (offset of the centre from
/// the position's anchor in unit image coordinates, and a multiplier of the size's half-extent).
/// </summary>
public sealed record ToyScene(ToyShape Shape, ToyColor Color, ToyPosition Position, ToySize Size, ToyBackground Background)
{
    public double OffsetX { get; init; }
    public double OffsetY { get; init; }
    public double Scale { get; init; } = 1.0;

    /// <summary>Centre of the shape in unit image coordinates.</summary>
    public (double X, double Y) Centre
    {
        get { var (x, y) = ToyGeometry.Anchor(Position); return (x + OffsetX, y + OffsetY); }
    }

    /// <summary>Half-extent of the shape in unit image coordinates.</summary>
    public double Radius => ToyGeometry.Radius(Size) * Scale;

    /// <summary>All five attributes as a prompt (what a full caption of this scene states).</summary>
    public ToyPrompt ToPrompt() => new(Shape, Color, Position, Size, Background);
}
