namespace Penumbra.Toy;

/// <summary>
/// A seeded, endless stream of (scene, caption) samples of the toy world (see <see cref="ToyDatasetOptions"/> for the
/// filters and the built-in colour bias). The same options and seed give the same stream on every run
/// (<see cref="Random"/> with a seed uses a fixed algorithm).
/// </summary>
public sealed class ToyDataset
{
    private readonly Random rng;

    public ToyDatasetOptions Options { get; }

    public ToyDataset(ToyDatasetOptions options, int seed)
    {
        options.Validate();
        Options = options;
        rng = new Random(seed);
    }

    public ToySample Next()
    {
        var o = Options;
        bool mentionColor = rng.NextDouble() < o.ColorMentionRate;
        bool mentionSize = rng.NextDouble() < o.SizeMentionRate;
        bool mentionPosition = rng.NextDouble() < o.PositionMentionRate;
        bool mentionBackground = rng.NextDouble() < o.BackgroundMentionRate;
        var shape = Pick(o.Shapes);
        // Drawn only when the option is on, so the default stream is the one drawn before it existed.
        bool mentionShape = o.ShapeMentionRate >= 1 || rng.NextDouble() < o.ShapeMentionRate;
        if (!mentionShape && o.UnstatedShape is { } house) shape = house;
        var color = mentionColor ? Pick(o.Colors) : UnstatedColor();
        var scene = new ToyScene(shape, color, Pick(o.Positions), Pick(o.Sizes), Pick(o.Backgrounds))
        {
            OffsetX = Uniform(o.PositionJitter),
            OffsetY = Uniform(o.PositionJitter),
            Scale = 1 + Uniform(o.ScaleJitter),
        };
        var stated = new ToyPrompt(mentionShape ? shape : null, mentionColor ? color : null, mentionPosition ? scene.Position : null,
            mentionSize ? scene.Size : null, mentionBackground ? scene.Background : null);
        var language = rng.NextDouble() < o.FinnishRate ? ToyLanguage.Finnish : ToyLanguage.English;
        var phrasing = Pick(o.Phrasings);
        return new ToySample(scene, ToyCaptions.Write(stated, phrasing, language), stated, language, phrasing);
    }

    public IReadOnlyList<ToySample> Take(int count)
    {
        var samples = new ToySample[count];
        for (int i = 0; i < count; i++) samples[i] = Next();
        return samples;
    }

    /// <summary>The next <paramref name="count"/> samples whose caption states what one of <paramref name="filters"/>
    /// states (all samples when there is no filter); throws when the stream gives too few (a filter the options exclude).</summary>
    public IReadOnlyList<ToySample> TakeStating(int count, IReadOnlyList<ToyPrompt> filters)
    {
        if (filters.Count == 0) return Take(count);
        long draws = 10_000L * count;
        var samples = TakeWhere(count, s => filters.Any(s.Stated.States), draws);
        if (samples.Count < count)
            throw new ArgumentException($"only {samples.Count} of {count} captions in {draws} samples state what the filter asks; does the dataset allow it?");
        return samples;
    }

    /// <summary>The next samples <paramref name="keep"/> accepts, until there are <paramref name="count"/> of them or
    /// <paramref name="maxDraws"/> samples were drawn (then fewer are returned).</summary>
    public IReadOnlyList<ToySample> TakeWhere(int count, Func<ToySample, bool> keep, long maxDraws)
    {
        var samples = new List<ToySample>(count);
        for (long drawn = 0; samples.Count < count && drawn < maxDraws; drawn++)
        {
            var sample = Next();
            if (keep(sample)) samples.Add(sample);
        }
        return samples;
    }

    private ToyColor UnstatedColor()
    {
        var colors = Options.Colors;
        if (!colors.Contains(ToyColor.Red) || colors.Count == 1) return Pick(colors);
        if (rng.NextDouble() < Options.UnstatedRedRate) return ToyColor.Red;
        var others = colors.Where(c => c != ToyColor.Red).ToArray();
        return others[rng.Next(others.Length)];
    }

    private T Pick<T>(IReadOnlyList<T> values) => values[rng.Next(values.Count)];

    private double Uniform(double halfWidth) => halfWidth == 0 ? 0 : (2 * rng.NextDouble() - 1) * halfWidth;
}
