using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>The other readings of the M path latents EU is the variance of (methods/emoe.md §4, §5.2), computed on the same
/// paths as EU wherever it is: DECU's PaiDE, the cosine disagreement and the per-channel normalised variance.</summary>
public static class PathDisagreements
{
    public static IReadOnlyList<(string Name, Func<Tensor, double> Score)> All { get; } = new (string, Func<Tensor, double>)[]
    {
        (DecuPaide.Name, DecuPaide.Score),
        (CosineDisagreement.Name, CosineDisagreement.Score),
        (ChannelNormalisedVariance.Name, ChannelNormalisedVariance.Score),
    };

    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToArray();

    /// <summary>Every measure of the paths [M, C, spatial...], by name, in the order of <see cref="All"/>.</summary>
    public static IReadOnlyDictionary<string, double> Score(Tensor paths) =>
        All.ToDictionary(m => m.Name, m => m.Score(paths));
}
