namespace Penumbra.Quality;

/// <summary>
/// What <see cref="QualitySweep"/> runs. Prompt sets are toy-world captions drawn from <see cref="Toy.ToyDataset"/> with
/// their own seeds (sweep, held-out, colourless = captions that never state a colour); every prompt is sampled once per
/// seed in <see cref="Seeds"/> (one batched call per seed). The real set for toy-FID is <see cref="RealImages"/> renders
/// of the data distribution. Intervals are percentile bootstraps over prompts (<see cref="Resamples"/>).
/// </summary>
public sealed record QualitySweepOptions
{
    /// <summary>The schedule grid (family × strength); g ≡ 1 is always added as the baseline.</summary>
    public IReadOnlyList<string> Schedules { get; init; } = new[]
    {
        "const:0", "const:0.5", "const:0.8",
        "ramp:0->1", "ramp:0.5->1", "ramp:0.8->1",
        "window:0@0-0.3", "window:0.5@0-0.3", "window:0.8@0-0.3",
    };

    public IReadOnlyList<double> ImageToImageStrengths { get; init; } = new[] { 0.3, 0.6, 0.9 };
    public IReadOnlyList<long> Seeds { get; init; } = new long[] { 0, 1, 2 };
    public int Prompts { get; init; } = 24;
    public int HeldOutPrompts { get; init; } = 24;
    public int ColourlessPrompts { get; init; } = 24;
    public int RealImages { get; init; } = 500;
    public int Steps { get; init; } = 25;
    public double GuidanceScale { get; init; } = 7.5;
    public string? Scheduler { get; init; }
    public int PromptSeed { get; init; } = 101;
    public int HeldOutSeed { get; init; } = 202;
    public int ColourlessSeed { get; init; } = 303;
    public int RealSeed { get; init; } = 404;
    public int Resamples { get; init; } = 1000;
    public int BootstrapSeed { get; init; }

    public void Validate()
    {
        if (Seeds.Count < 2) throw new ArgumentException($"at least 2 seeds are needed (diversity is measured across seeds), got {Seeds.Count}");
        foreach (var (n, name) in new[] { (Prompts, "prompts"), (HeldOutPrompts, "held-out prompts"), (ColourlessPrompts, "colourless prompts") })
            if (n < 2) throw new ArgumentException($"{name}: at least 2 needed, got {n}");
        if (RealImages < 2) throw new ArgumentException($"real images: at least 2 needed, got {RealImages}");
        if (Steps < 1) throw new ArgumentException($"steps must be at least 1, got {Steps}");
        foreach (var s in ImageToImageStrengths)
            if (!(s > 0 && s <= 1)) throw new ArgumentException($"image-to-image strength {s} must lie in (0, 1]");
        foreach (var s in Schedules) BypassSchedule.Parse(s);
    }
}
