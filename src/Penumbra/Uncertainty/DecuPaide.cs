using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>The DECU baseline (Berry et al., UAI 2024; methods/emoe.md §4) on EMoE's M path latents: the pairwise-distance
/// estimator with the squared L2 distance D_ij = ‖μ_i − μ_j‖² over all dimensions (Wasserstein-2 between zero-variance
/// Gaussians), PaiDE = −(1/M) Σ_i log[(1/M) Σ_j exp(−D_ij)]. It lies between 0 (all paths equal) and log M (every pair far
/// apart), so on latents with many dimensions it saturates at log M where EU still ranks prompts.</summary>
public static class DecuPaide
{
    public const string Name = "decu_paide";

    /// <summary>PaiDE of the paths [M, ...] (one path per row), in float64.</summary>
    public static double Score(Tensor paths)
    {
        if (paths.dim() < 1 || paths.shape[0] < 2) throw new ArgumentException($"PaiDE needs at least 2 paths, got shape [{string.Join(",", paths.shape)}]");
        using var scope = NewDisposeScope();
        long m = paths.shape[0];
        var flat = paths.to(ScalarType.Float64).reshape(m, -1);
        var distance = (flat.unsqueeze(1) - flat.unsqueeze(0)).square().sum(-1);
        // log[(1/M) Σ_j exp(−D_ij)] as a log-sum-exp, exact when the distances are large.
        var inner = (-distance).logsumexp(1) - Math.Log(m);
        return -inner.mean().item<double>();
    }
}
