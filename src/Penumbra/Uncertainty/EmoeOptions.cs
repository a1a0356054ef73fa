namespace Penumbra.Uncertainty;

/// <summary>EMoE settings (shared/methods/emoe.md defaults). <see cref="SplitBlock"/> is a transformer block path whose
/// <c>attn2.to_q/k/v</c> are the split; null = the first transformer block with cross-attention MoE layers.</summary>
public sealed record EmoeOptions
{
    public string? SplitBlock { get; init; }
    public EmoeMode Mode { get; init; } = EmoeMode.Expert;
    public int NumInferenceSteps { get; init; } = 25;
    public long Seed { get; init; }
    /// <summary>Population variance (1/M) when true, sample variance (1/(M-1)) otherwise.</summary>
    public bool PopulationVariance { get; init; } = true;
    /// <summary>The experts whose paths are compared, in path order (at least 2, distinct); null = all experts.</summary>
    public IReadOnlyList<int>? Experts { get; init; }
}
