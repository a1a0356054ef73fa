namespace Penumbra.Reports;

/// <summary>What a report analyses. Unset names are chosen from the data: the score "eu" (else the first score), the
/// quality metric the scorer declares (else "clip_score", else "quality", else the first image metric, else none),
/// the diversity "ssim_pairwise" when present, the uncertainty scores the scorer declares (else every other score)
/// as baselines, every group column.</summary>
public sealed record AuditReportOptions
{
    public string? Score { get; init; }
    public string? Quality { get; init; }
    /// <summary>Diversity value shown beside quality (default: ssim_pairwise when present).</summary>
    public string? Diversity { get; init; }
    public IReadOnlyList<string>? Baselines { get; init; }
    public IReadOnlyList<string>? GroupColumns { get; init; }
    public int Resamples { get; init; } = Bootstrap.DefaultResamples;
    public int Permutations { get; init; } = PermutationTest.DefaultPermutations;
    public int Seed { get; init; }
    public int GridPrompts { get; init; } = 4;
    public string Title { get; init; } = "Penumbra audit report";
}
