namespace Penumbra.Reports;

/// <summary>Everything a report shows, computed by <see cref="AuditAnalysis"/>; rendered by HtmlReport and MarkdownReport.</summary>
public sealed record AuditReport(
    AuditDataset Data, AuditReportOptions Options, string Score, string? Quality, IReadOnlyList<string> Baselines,
    IReadOnlyList<string> GroupColumns, IReadOnlyList<CorrelationRow> Correlations, IReadOnlyList<QuartileTable> Quartiles,
    IReadOnlyList<GroupComparison> Groups, IReadOnlyList<AttributeTable> Attributes,
    IReadOnlyList<PromptSummary> MostUncertain, IReadOnlyList<PromptSummary> LeastUncertain)
{
    /// <summary>The primary score first, then the baselines.</summary>
    public IReadOnlyList<string> AllScores => new[] { Score }.Concat(Baselines).ToList();

    /// <summary>The diversity value shown beside quality (mean pairwise SSIM of a prompt's images; lower = more diverse), or null.</summary>
    public string? Diversity { get; init; }

    /// <summary>Per attribute: proportions and fairness per quartile of the primary score and of each baseline
    /// (rows: <see cref="AttributeRow.Column"/> = the score, <see cref="AttributeRow.Group"/> = Q1..Q4).</summary>
    public IReadOnlyList<AttributeTable> AttributesByQuartile { get; init; } = Array.Empty<AttributeTable>();

    /// <summary>Per score (primary first): quality when only the lowest-scoring prompts are generated (empty without a
    /// quality metric).</summary>
    public IReadOnlyList<HaltingTable> Halting { get; init; } = Array.Empty<HaltingTable>();

    public const string FairnessFormula =
        "fairness = mean over prompts of sqrt(sum_k (p_k - 1/K)^2), where p_k is the share of the prompt's images classified as class k of K; 0 = balanced, sqrt(1 - 1/K) = all one class";
}
