namespace Penumbra.Toy;

/// <summary>
/// What a <see cref="ToyDataset"/> samples. The attribute lists are the subset filters (an expert that never sees
/// triangles gets <c>Shapes</c> without <see cref="ToyShape.Triangle"/>); each optional attribute is mentioned in the
/// caption with its rate (the shape is always mentioned). The built-in bias: a scene whose caption omits the colour
/// is red with probability <see cref="UnstatedRedRate"/> (if red is allowed), the other allowed colours sharing the rest
/// equally; a stated colour, and every other attribute, is uniform over its allowed values.
/// </summary>
public sealed record ToyDatasetOptions
{
    public IReadOnlyList<ToyShape> Shapes { get; init; } = Enum.GetValues<ToyShape>();
    public IReadOnlyList<ToyColor> Colors { get; init; } = Enum.GetValues<ToyColor>();
    public IReadOnlyList<ToyPosition> Positions { get; init; } = Enum.GetValues<ToyPosition>();
    public IReadOnlyList<ToySize> Sizes { get; init; } = Enum.GetValues<ToySize>();
    public IReadOnlyList<ToyBackground> Backgrounds { get; init; } = Enum.GetValues<ToyBackground>();
    public IReadOnlyList<ToyPhrasing> Phrasings { get; init; } = Enum.GetValues<ToyPhrasing>();

    public double ColorMentionRate { get; init; } = 0.7;
    public double SizeMentionRate { get; init; } = 0.6;
    public double PositionMentionRate { get; init; } = 0.6;
    public double BackgroundMentionRate { get; init; } = 0.4;

    /// <summary>Probability that a scene whose caption omits the colour is red.</summary>
    public double UnstatedRedRate { get; init; } = 0.8;

    /// <summary>Fraction of captions written in Finnish (0 = all English).</summary>
    public double FinnishRate { get; init; }

    /// <summary>Jitter of the centre around the anchor: uniform in ±this, per axis, in unit image coordinates.</summary>
    public double PositionJitter { get; init; } = 0.03;

    /// <summary>Jitter of the half-extent: the scale is uniform in 1 ± this.</summary>
    public double ScaleJitter { get; init; } = 0.08;

    public int ImageSize { get; init; } = ToyRenderer.DefaultSize;

    /// <summary>Share of captions that name the shape; the others say "shape" (<see cref="ToyVocabulary.GenericShape"/>).
    /// 1 (default) draws the same stream as before the option existed.</summary>
    public double ShapeMentionRate { get; init; } = 1.0;

    /// <summary>The shape drawn when the caption does not name it: a data set's house style (null: any of
    /// <see cref="Shapes"/>, uniformly).</summary>
    public ToyShape? UnstatedShape { get; init; }

    /// <summary>The shape, colour and position a caption states that these data never draw, in that order.</summary>
    public IEnumerable<Enum> LeftOut(ToyPrompt stated)
    {
        if (stated.Shape is { } shape && !Shapes.Contains(shape)) yield return shape;
        if (stated.Color is { } color && !Colors.Contains(color)) yield return color;
        if (stated.Position is { } position && !Positions.Contains(position)) yield return position;
    }

    /// <summary>The caption's attributes with every one these data never draw (<see cref="LeftOut"/>) dropped: what is left
    /// of the caption within these data (a dropped shape becomes the generic noun when written).</summary>
    public ToyPrompt WithoutLeftOut(ToyPrompt stated) => stated with
    {
        Shape = stated.Shape is { } shape && !Shapes.Contains(shape) ? null : stated.Shape,
        Color = stated.Color is { } color && !Colors.Contains(color) ? null : stated.Color,
        Position = stated.Position is { } position && !Positions.Contains(position) ? null : stated.Position,
    };

    /// <summary>Whether a caption states a shape, colour or position these data never draw.</summary>
    public bool Omits(ToyPrompt stated) => LeftOut(stated).Any();

    /// <summary>Whether every shape, colour, position, size and background can occur (filters aside from house styles).</summary>
    public bool CoversDomain =>
        Shapes.Count == Enum.GetValues<ToyShape>().Length && Colors.Count == Enum.GetValues<ToyColor>().Length &&
        Positions.Count == Enum.GetValues<ToyPosition>().Length && Sizes.Count == Enum.GetValues<ToySize>().Length &&
        Backgrounds.Count == Enum.GetValues<ToyBackground>().Length;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        NonEmpty(Shapes, nameof(Shapes)); NonEmpty(Colors, nameof(Colors)); NonEmpty(Positions, nameof(Positions));
        NonEmpty(Sizes, nameof(Sizes)); NonEmpty(Backgrounds, nameof(Backgrounds)); NonEmpty(Phrasings, nameof(Phrasings));
        Rate(ColorMentionRate, nameof(ColorMentionRate)); Rate(SizeMentionRate, nameof(SizeMentionRate));
        Rate(PositionMentionRate, nameof(PositionMentionRate)); Rate(BackgroundMentionRate, nameof(BackgroundMentionRate));
        Rate(UnstatedRedRate, nameof(UnstatedRedRate)); Rate(FinnishRate, nameof(FinnishRate)); Rate(ShapeMentionRate, nameof(ShapeMentionRate));
        if (UnstatedShape is { } house && !Shapes.Contains(house))
            throw new ArgumentException($"{nameof(UnstatedShape)} = {house} is not one of {nameof(Shapes)} ({string.Join(", ", Shapes)})");
        if (PositionJitter is < 0 or > 0.1) throw new ArgumentException($"{nameof(PositionJitter)} = {PositionJitter} must lie in [0, 0.1]");
        if (ScaleJitter is < 0 or > 0.3) throw new ArgumentException($"{nameof(ScaleJitter)} = {ScaleJitter} must lie in [0, 0.3]");
        if (ImageSize < 8) throw new ArgumentException($"{nameof(ImageSize)} = {ImageSize} must be at least 8");
    }

    internal static void NonEmpty<T>(IReadOnlyList<T> values, string name)
    {
        if (values.Count == 0) throw new ArgumentException($"{name} must allow at least one value");
    }

    internal static void Rate(double rate, string name)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentException($"{name} = {rate} must lie in [0, 1]");
    }
}
