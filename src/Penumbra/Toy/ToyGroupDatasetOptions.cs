namespace Penumbra.Toy;

/// <summary>
/// Options of the shape-classification data. The classes are <see cref="Classes"/> (label = index in this list).
/// The spurious correlation: a circle is on gray with probability <see cref="SpuriousRate"/>, a square on black with
/// that probability; other shapes are on either background with probability 1/2. <see cref="Balanced"/> instead draws
/// every group (class × background) equally often (for test sets). Colour, position and size are uniform.
/// </summary>
public sealed record ToyGroupDatasetOptions
{
    public IReadOnlyList<ToyShape> Classes { get; init; } = Enum.GetValues<ToyShape>();

    /// <summary>P(gray | circle) = P(black | square). 0.5 = no correlation.</summary>
    public double SpuriousRate { get; init; } = 0.95;

    public bool Balanced { get; init; }
    public double PositionJitter { get; init; } = 0.03;
    public double ScaleJitter { get; init; } = 0.08;
    public int ImageSize { get; init; } = ToyRenderer.DefaultSize;

    public void Validate()
    {
        ToyDatasetOptions.NonEmpty(Classes, nameof(Classes));
        if (Classes.Distinct().Count() != Classes.Count) throw new ArgumentException($"{nameof(Classes)} lists a shape twice");
        ToyDatasetOptions.Rate(SpuriousRate, nameof(SpuriousRate));
        if (PositionJitter is < 0 or > 0.1) throw new ArgumentException($"{nameof(PositionJitter)} = {PositionJitter} must lie in [0, 0.1]");
        if (ScaleJitter is < 0 or > 0.3) throw new ArgumentException($"{nameof(ScaleJitter)} = {ScaleJitter} must lie in [0, 0.3]");
        if (ImageSize < 8) throw new ArgumentException($"{nameof(ImageSize)} = {ImageSize} must be at least 8");
    }
}
