using Penumbra.Toy;

namespace Penumbra.Debias;

/// <summary>
/// The toy world's debiasing setup. Attribute: the foreground colour (the toy data make an unstated colour red 80% of
/// the time). Subspace pairs (red, c) for the six other colours, template "a {attribute} {item}" over the training shapes.
/// Training data: colourless English captions of the training shapes and phrasings, with the colour of each image
/// cycling through the palette (exactly uniform). Held out for evaluation: the shapes <see cref="HeldOutShapes"/> (any
/// phrasing) and the phrasing <see cref="HeldOutPhrasing"/> (any shape).
/// </summary>
public static class ToyDebiasWorld
{
    public static IReadOnlyList<ToyShape> TrainShapes { get; } = new[] { ToyShape.Circle, ToyShape.Square, ToyShape.Triangle };
    public static IReadOnlyList<ToyShape> HeldOutShapes { get; } = new[] { ToyShape.Cross, ToyShape.Ring };
    public static IReadOnlyList<ToyPhrasing> TrainPhrasings { get; } = new[] { ToyPhrasing.Plain, ToyPhrasing.Telegraphic, ToyPhrasing.Picture };
    public const ToyPhrasing HeldOutPhrasing = ToyPhrasing.PositionFirst;

    public static IReadOnlyList<ToyColor> Palette { get; } = Enum.GetValues<ToyColor>();

    public static string ColorWord(ToyColor c) => ToyVocabulary.Word(c, ToyLanguage.English);

    /// <summary>Pairs (red, c) for every other colour, over the training shapes.</summary>
    public static BiasSubspaceSpec SubspaceSpec(double lambda = 500) => new()
    {
        Pairs = Palette.Where(c => c != ToyColor.Red).Select(c => new AttributePair(ColorWord(ToyColor.Red), ColorWord(c))).ToArray(),
        Items = TrainShapes.Select(s => ToyVocabulary.Word(s, ToyLanguage.English)).ToArray(),
        Template = "a {attribute} {item}",
        Lambda = lambda,
    };

    /// <summary>The balanced training set: <paramref name="count"/> colourless captions of the training shapes and
    /// phrasings, image k coloured Palette[k mod 7].</summary>
    public static IReadOnlyList<DebiasExample> BalancedSet(int count, int seed, int imageSize)
    {
        if (count < 1) throw new ArgumentException($"toy training set size {count} must be at least 1", nameof(count));
        var data = new ToyDataset(Colourless(TrainShapes, TrainPhrasings, imageSize), seed);
        return Enumerable.Range(0, count).Select(k =>
        {
            var s = data.Next();
            return new DebiasExample(s.Caption, ToyRenderer.Render(s.Scene with { Color = Palette[k % Palette.Count] }, imageSize));
        }).ToArray();
    }

    /// <summary>Distinct colourless English evaluation prompts whose shape or phrasing is held out.</summary>
    public static IReadOnlyList<ToySample> HeldOutPrompts(int count, int seed)
    {
        var data = new ToyDataset(Colourless(Enum.GetValues<ToyShape>(), Enum.GetValues<ToyPhrasing>(), ToyRenderer.DefaultSize), seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var prompts = new List<ToySample>();
        for (int tries = 0; prompts.Count < count && tries < 100_000; tries++)
        {
            var s = data.Next();
            bool heldOutPhrasing = s.Phrasing == HeldOutPhrasing && s.Stated.Position is not null;
            if ((HeldOutShapes.Contains(s.Scene.Shape) || heldOutPhrasing) && seen.Add(s.Caption)) prompts.Add(s);
        }
        return prompts;
    }

    /// <summary>The sample's caption with a colour named, in the same phrasing and language.</summary>
    public static string WithColor(ToySample sample, ToyColor color) =>
        ToyCaptions.Write(sample.Stated with { Color = color }, sample.Phrasing, sample.Language);

    private static ToyDatasetOptions Colourless(IReadOnlyList<ToyShape> shapes, IReadOnlyList<ToyPhrasing> phrasings, int size) => new()
    {
        Shapes = shapes, Phrasings = phrasings, ColorMentionRate = 0, FinnishRate = 0, ImageSize = size,
    };
}
