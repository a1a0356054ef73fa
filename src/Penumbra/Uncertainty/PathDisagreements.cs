using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>The other readings of the M path latents EU is the variance of (methods/emoe.md §4, §5.2), computed on the same
/// paths as EU wherever it is: DECU's PaiDE, the cosine disagreement and the per-channel normalised variance, and, given
/// the empty prompt's paths, the caption-effect disagreement and its size.</summary>
public static class PathDisagreements
{
    public static IReadOnlyList<(string Name, Func<Tensor, double> Score)> All { get; } = new (string, Func<Tensor, double>)[]
    {
        (DecuPaide.Name, DecuPaide.Score),
        (CosineDisagreement.Name, CosineDisagreement.Score),
        (ChannelNormalisedVariance.Name, ChannelNormalisedVariance.Score),
    };

    /// <summary>The measures that also need the empty prompt's paths (<see cref="CaptionEffectDisagreement"/>).</summary>
    public static IReadOnlyList<(string Name, Func<Tensor, Tensor, double> Score)> AgainstEmpty { get; } = new (string, Func<Tensor, Tensor, double>)[]
    {
        (CaptionEffectDisagreement.Name, CaptionEffectDisagreement.Score),
        (CaptionEffectDisagreement.NegativeSizeName, CaptionEffectDisagreement.NegativeSize),
    };

    /// <summary>The names of <see cref="All"/>, then of <see cref="AgainstEmpty"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).Concat(AgainstEmpty.Select(m => m.Name)).ToArray();

    /// <summary>Every measure of the paths [M, C, spatial...] by name, in the order of <see cref="Names"/>: those of
    /// <see cref="AgainstEmpty"/> only when <paramref name="emptyPaths"/>, the same paths for the empty prompt, are given.</summary>
    public static IReadOnlyDictionary<string, double> Score(Tensor paths, Tensor? emptyPaths = null)
    {
        var scores = All.ToDictionary(m => m.Name, m => m.Score(paths));
        if (emptyPaths is not null)
            foreach (var (name, score) in AgainstEmpty) scores[name] = score(paths, emptyPaths);
        return scores;
    }
}
