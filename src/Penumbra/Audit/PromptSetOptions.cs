namespace Penumbra.Audit;

/// <summary>How a prompt set is read. Column names apply to CSV/TSV headers and JSONL keys. With
/// <see cref="GroupColumns"/> null every other column is a group column; otherwise only the listed ones are.</summary>
public sealed record PromptSetOptions
{
    public PromptSetFormat Format { get; init; } = PromptSetFormat.Auto;
    public string TextColumn { get; init; } = "prompt";
    public string IdColumn { get; init; } = "id";
    public string LabelColumn { get; init; } = "label";
    public IReadOnlyList<string>? GroupColumns { get; init; }
    public BadRowPolicy OnBadRow { get; init; } = BadRowPolicy.Fail;
    /// <summary>Called for every bad row (also the one that stops a <see cref="BadRowPolicy.Fail"/> read).</summary>
    public Action<BadRow>? ReportBadRow { get; init; }
}
