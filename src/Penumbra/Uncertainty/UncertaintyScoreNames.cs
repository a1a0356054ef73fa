namespace Penumbra.Uncertainty;

/// <summary>
/// The names every consumer of EMoE's scores writes them under (audit databases, the <c>uncertainty</c> JSON, the toy
/// evaluation's report); the path measures carry their own names (<see cref="PathDisagreements.Names"/>).
/// </summary>
public static class UncertaintyScoreNames
{
    public const string Eu = "eu", RouterEntropy = "router_entropy", TokenLength = "token_length";
    public const string SeedVariance = "seed_variance", EmbeddingDistance = "embedding_distance";
}
