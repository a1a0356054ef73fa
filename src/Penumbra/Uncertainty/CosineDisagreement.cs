using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>Cosine disagreement of EMoE's M path latents (methods/emoe.md §5.2, the scale-free alternative to EU): the mean
/// over pairs i &lt; j of 1 − cos(μ_i, μ_j), each path flattened. It ignores how large the latents are, so a prompt whose
/// content moves every path a lot does not score high for that alone. 0 when all paths point the same way, at most 2.
/// A zero path has cosine 1 with another zero path and 0 with anything else.</summary>
public static class CosineDisagreement
{
    public const string Name = "cosine_disagreement";

    /// <summary>The disagreement of the paths [M, ...] (one path per row), in float64.</summary>
    public static double Score(Tensor paths)
    {
        if (paths.dim() < 1 || paths.shape[0] < 2) throw new ArgumentException($"cosine disagreement needs at least 2 paths, got shape [{string.Join(",", paths.shape)}]");
        using var scope = NewDisposeScope();
        long m = paths.shape[0];
        var flat = paths.to(ScalarType.Float64).reshape(m, -1);
        var norms = flat.norm(1).cpu();
        var gram = flat.matmul(flat.t()).cpu();
        double sum = 0;
        for (long i = 0; i < m; i++)
            for (long j = i + 1; j < m; j++)
            {
                double ni = norms[i].item<double>(), nj = norms[j].item<double>();
                double cos = ni == 0 || nj == 0 ? (ni == nj ? 1 : 0) : gram[i, j].item<double>() / (ni * nj);
                sum += 1 - Math.Clamp(cos, -1, 1);
            }
        return sum / (m * (m - 1) / 2.0);
    }
}
