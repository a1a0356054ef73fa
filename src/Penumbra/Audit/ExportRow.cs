namespace Penumbra.Audit;

/// <summary>One result row joined with its prompt, as exported: maps already parsed.</summary>
public sealed record ExportRow(
    string PromptId, long Seed, int ImageIndex, string Text, string Label,
    IReadOnlyDictionary<string, string> Groups, IReadOnlyDictionary<string, double> Scores,
    IReadOnlyDictionary<string, string> Attributes, string? ImagePath, string? MapPath);
