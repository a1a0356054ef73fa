using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Pipelines.StableDiffusion;
using static TorchSharp.torch;

namespace Penumbra.Quality;

/// <summary>
/// Partial mid-block bypass ("Deeper Diffusion Models Amplify Bias", v1): at step k the UNet's <c>mid_block</c> output is
/// replaced through a tap by h_in + g(k)·(Mid(h_in) − h_in) (or g(k)·Mid(h_in), <see cref="BypassRule.Scale"/>), for every
/// row of the batch (both classifier-free guidance halves). Skip connections, other weights and the scheduler are not
/// touched. Steps where the schedule gives the plain model (g = 1, interpolating) install no tap at all, so g ≡ 1 is
/// bit-identical to the unmodified pipeline. Works on any <see cref="UNet2DConditionModel"/>, SegMoE UNets included.
/// Mid(h_in) is still computed at g = 0 (the tap runs after the block).
/// <code>pipeline.Modifier = new MidBlockBypass(BypassSchedule.Parse("ramp:0.5->1@0-0.3"));</code>
/// </summary>
public sealed class MidBlockBypass : IDenoisingModifier
{
    public const string MidBlockPath = "mid_block";

    public MidBlockBypass(BypassSchedule schedule) => Schedule = schedule;

    public BypassSchedule Schedule { get; }

    /// <summary>The value recorded in PNG parameters under <c>Midblock bypass</c>: the canonical spec.</summary>
    public string Describe() => Schedule.ToString();

    public IDisposable? BeginStep(UNet2DConditionModel unet, int step, int totalSteps)
    {
        double g = Schedule.At(step, totalSteps);
        if (Schedule.Rule == BypassRule.Interpolate && g == 1.0) return null;
        var rule = Schedule.Rule;
        return new ModuleTaps(unet).Replace(MidBlockPath, e => Mix(e.Input ?? throw new InvalidOperationException(
            $"{MidBlockPath}: the tap saw no hidden-state input"), e.Output, g, rule));
    }

    /// <summary>The mixing rule on one mid-block call (exposed for tests and other callers of the block).</summary>
    public static Tensor Mix(Tensor input, Tensor output, double g, BypassRule rule) => rule switch
    {
        BypassRule.Scale => output * g,
        _ when g == 0.0 => input.alias(),
        _ => input + (output - input) * g,
    };
}
