using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>Readings of what the caption does to EMoE's M path latents: with Δ_i the path latent of the prompt minus that of
/// the empty prompt on path i (same seed, options and expert), <see cref="Score"/> is how much the experts disagree about
/// the move relative to its size, Σ_i ‖Δ_i − Δ̄‖² / Σ_i ‖Δ_i‖² = 1 − M‖Δ̄‖² / Σ_i ‖Δ_i‖², in [0, 1] (0 when every expert
/// moves its latent the same way, 1 when their moves cancel, 0 when no path moves). EU grows with the size of the caption's
/// effect (methods/emoe.md §5.4: descriptive prompts and rendered content inflate the variance); the share divides that size
/// out and drops what the experts already disagree on without a caption. <see cref="NegativeSize"/> is the size alone,
/// −(1/(M·D)) Σ_i ‖Δ_i‖², negated so that, as for the other scores, higher means further from what the model knows (a caption
/// it cannot read moves the latent little): the single-model baseline the share has to beat.</summary>
public static class CaptionEffectDisagreement
{
    public const string Name = "caption_effect_disagreement";

    public const string NegativeSizeName = "negative_caption_effect";

    /// <summary>The share for the paths [M, ...] of a prompt and <paramref name="emptyPaths"/> of the empty prompt (same shape).</summary>
    public static double Score(Tensor paths, Tensor emptyPaths)
    {
        using var scope = NewDisposeScope();
        var effect = Effect(paths, emptyPaths);
        double total = effect.pow(2).sum().item<double>();
        if (total == 0) return 0;
        double spread = (effect - effect.mean(new long[] { 0 }, keepdim: true)).pow(2).sum().item<double>();
        return Math.Clamp(spread / total, 0, 1);
    }

    /// <summary>Minus the mean over paths and dimensions of the squared move Δ_i.</summary>
    public static double NegativeSize(Tensor paths, Tensor emptyPaths)
    {
        using var scope = NewDisposeScope();
        return -Effect(paths, emptyPaths).pow(2).mean().item<double>();
    }

    private static Tensor Effect(Tensor paths, Tensor emptyPaths)
    {
        if (paths.dim() < 1 || paths.shape[0] < 2) throw new ArgumentException($"the caption's effect needs at least 2 paths, got shape [{string.Join(",", paths.shape)}]");
        if (!paths.shape.SequenceEqual(emptyPaths.shape))
            throw new ArgumentException($"the empty prompt's paths [{string.Join(",", emptyPaths.shape)}] do not match the prompt's [{string.Join(",", paths.shape)}]");
        return (paths.to(ScalarType.Float64) - emptyPaths.to(ScalarType.Float64)).reshape(paths.shape[0], -1);
    }
}
