using Penumbra.Schedulers;

namespace Penumbra.Checkpoints;

/// <summary>The scheduler diffusers' single-file loader makes (<c>scheduler_type="pndm"</c>): a DDIM config from the LDM
/// schedule (scaled_linear between <c>linear_start</c> and <c>linear_end</c>, steps_offset 1, no clipping,
/// set_alpha_to_one false), turned into PNDM with <c>skip_prk_steps</c>.</summary>
public static class LdmSchedulers
{
    public const double DefaultLinearStart = 0.00085;
    public const double DefaultLinearEnd = 0.012;

    public static SchedulerConfig Pndm(string predictionType, double linearStart = DefaultLinearStart,
        double linearEnd = DefaultLinearEnd, int timesteps = 1000) => new()
    {
        ClassName = PNDMScheduler.ClassName,
        NumTrainTimesteps = timesteps,
        BetaStart = linearStart,
        BetaEnd = linearEnd,
        BetaSchedule = "scaled_linear",
        PredictionType = predictionType,
        StepsOffset = 1,
        ClipSample = false,
        SetAlphaToOne = false,
        SkipPrkSteps = true,
        TimestepSpacing = "leading",
    };
}
