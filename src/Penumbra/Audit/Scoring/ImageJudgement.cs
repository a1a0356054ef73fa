namespace Penumbra.Audit.Scoring;

/// <summary>An <see cref="IImageJudge"/>'s verdict on one image: metrics (the quality metric and any others) and
/// attribute classes (absent when the judge could not classify the image).</summary>
public sealed record ImageJudgement(IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> Attributes);
