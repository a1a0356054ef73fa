namespace Penumbra.Audit;

/// <summary>One work unit: a prompt, a seed and the number of images to generate (0 = scores only).</summary>
public sealed record ScoringRequest(PromptRecord Prompt, long Seed, int Images);
