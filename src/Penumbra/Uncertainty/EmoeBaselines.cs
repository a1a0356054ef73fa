namespace Penumbra.Uncertainty;

/// <summary>Baselines computed on the same run as EMoE's EU (issue 6): router entropy at the first step (mean over tokens and
/// the MoE layers up to the mid block of the gate-softmax entropy, nats), the prompt's CLIP token count (without the start
/// and end tokens, at most the encoder's limit), seed variance (mean over dimensions of the variance of
/// <c>m_post</c> across K initial latents with normal routing), the other readings of the same M path latents as EU by name
/// (<see cref="PathDisagreements"/>: DECU's PaiDE, cosine disagreement, per-channel normalised variance) and, when a
/// reference prompt set is given, the cosine distance of the prompt's text embedding to the nearest reference prompt
/// (null otherwise).</summary>
public sealed record EmoeBaselines(double RouterEntropy, int TokenLength, double SeedVariance, IReadOnlyDictionary<string, double> PathMeasures,
    double? EmbeddingDistance);
