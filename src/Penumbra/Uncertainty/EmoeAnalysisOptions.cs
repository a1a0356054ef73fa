namespace Penumbra.Uncertainty;

/// <summary>What <see cref="EmoeAnalyzer"/> computes besides EU: seed variance over <see cref="SeedSamples"/> latents, the
/// embedding distance to <see cref="ReferencePrompts"/> (when given), per-word attribution, and the normal MoE image from
/// the same initial latent (<see cref="WithImage"/>: generation with <see cref="GuidanceScale"/> and the estimator's step
/// count and scheduler).</summary>
public sealed record EmoeAnalysisOptions
{
    public EmoeOptions Emoe { get; init; } = new();
    public int SeedSamples { get; init; } = 4;
    public IReadOnlyList<string>? ReferencePrompts { get; init; }
    public bool Attribute { get; init; }
    public bool WithImage { get; init; }
    public double GuidanceScale { get; init; } = 7.5;
    public CancellationToken CancellationToken { get; init; }
}
