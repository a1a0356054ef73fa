namespace Penumbra.Audit;

/// <summary>The scores of one (prompt, seed) work unit and its images (empty when none were asked for).</summary>
public sealed record ScoringResult(IReadOnlyDictionary<string, double> Scores, IReadOnlyList<ImageResult> Images);
