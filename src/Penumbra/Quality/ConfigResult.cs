using Penumbra.Reports;

namespace Penumbra.Quality;

/// <summary>One configuration's scores: mean checker score, toy-FID against the real set, diversity (mean pairwise RMS
/// distance between the images of a prompt across seeds), and for image-to-image the RMS distance to the input; each a
/// percentile-bootstrap interval over prompts.</summary>
public sealed record ConfigResult(string PromptSet, string Schedule, double? Strength, Interval Checker, Interval ToyFid,
    Interval Diversity, Interval? InputDistance, double Seconds);
