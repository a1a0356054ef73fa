using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>Per-channel normalised variance of EMoE's M path latents [M, C, spatial...] (methods/emoe.md §5.2): for each
/// channel, the mean over positions of the variance across paths divided by the channel's total variance over paths and
/// positions, then the mean over channels. By the law of total variance the ratio is the share of the channel's
/// variation that is disagreement between paths, in [0, 1], so loud channels do not outweigh quiet ones as they do in
/// EU. Variances are population (1/M, 1/(M·P)); channels with no variation at all are left out (0 when none has any).</summary>
public static class ChannelNormalisedVariance
{
    public const string Name = "channel_normalised_variance";

    public static double Score(Tensor paths)
    {
        if (paths.dim() < 3 || paths.shape[0] < 2)
            throw new ArgumentException($"per-channel normalised variance needs [M >= 2, C, spatial...] paths, got shape [{string.Join(",", paths.shape)}]");
        using var scope = NewDisposeScope();
        long m = paths.shape[0], c = paths.shape[1];
        var x = paths.to(ScalarType.Float64).reshape(m, c, -1);
        var between = x.var(0, unbiased: false).mean(new long[] { 1 });           // [C]
        var total = x.permute(1, 0, 2).reshape(c, -1).var(1, unbiased: false);     // [C]
        var live = total > 0;
        long count = live.sum().item<long>();
        return count == 0 ? 0 : (between.masked_select(live) / total.masked_select(live)).sum().item<double>() / count;
    }
}
