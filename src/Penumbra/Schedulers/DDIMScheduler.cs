using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// DDIM (Song et al. 2021) as diffusers 0.25's <c>DDIMScheduler</c>: deterministic for <see cref="Eta"/> = 0,
/// prediction types epsilon / sample / v_prediction, optional clipping or dynamic thresholding of x0.
/// </summary>
public sealed class DDIMScheduler : SchedulerBase
{
    public const string ClassName = "DDIMScheduler";
    private readonly double _finalAlphaCumprod;

    public DDIMScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private DDIMScheduler(SchedulerConfig c, bool _) : base(c, BuildBetas(c))
    {
        _finalAlphaCumprod = c.SetAlphaToOne == true ? 1.0 : AlphasCumprodValues[0];
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "sample", "v_prediction");
    }

    /// <summary>Weight of the added noise (diffusers' <c>step(eta=...)</c>); 0 makes DDIM deterministic.</summary>
    public double Eta { get; set; }

    /// <summary>Recompute epsilon from the clipped x0 (diffusers' <c>use_clipped_model_output</c>).</summary>
    public bool UseClippedModelOutput { get; set; }

    public override double InitNoiseSigma => 1.0;

    internal static SchedulerConfig Resolve(SchedulerConfig c) => c with
    {
        ClassName = ClassName,
        BetaStart = c.BetaStart ?? 0.0001,
        BetaEnd = c.BetaEnd ?? 0.02,
        TimestepSpacing = c.TimestepSpacing ?? "leading",
        ClipSample = c.ClipSample ?? true,
        SetAlphaToOne = c.SetAlphaToOne ?? true,
    };

    internal static Tensor BuildBetas(SchedulerConfig c)
    {
        var betas = NoiseSchedule.Betas(c, ClassName);
        if (!c.RescaleBetasZeroSnr) return betas;
        using (betas) return NoiseSchedule.RescaleZeroTerminalSnr(betas);
    }

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        int train = Config.NumTrainTimesteps;
        if (numInferenceSteps <= 0 || numInferenceSteps > train)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"{ClassName}: the number of inference steps must be in 1..num_train_timesteps ({train})");
        NumInferenceSteps = numInferenceSteps;
        var ts = TimestepSpacing.Integer(Config.TimestepSpacing!, train, numInferenceSteps, Config.StepsOffset);
        SetSchedule(ts, ScalarType.Int64, null, device);
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep) => sample;

    public override SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        RequireTimesteps();
        using var scope = NewDisposeScope();
        long t = (long)timestep;
        long prevT = t - Config.NumTrainTimesteps / NumInferenceSteps!.Value;
        double alphaProdT = AlphaCumprodAt(t);
        double alphaProdTPrev = prevT >= 0 ? AlphaCumprodAt(prevT) : _finalAlphaCumprod;
        double betaProdT = 1 - alphaProdT;

        Tensor predOriginal, predEpsilon;
        switch (Config.PredictionType)
        {
            case "epsilon":
                predOriginal = (sample - Math.Sqrt(betaProdT) * modelOutput) / Math.Sqrt(alphaProdT);
                predEpsilon = modelOutput;
                break;
            case "sample":
                predOriginal = modelOutput;
                predEpsilon = (sample - Math.Sqrt(alphaProdT) * predOriginal) / Math.Sqrt(betaProdT);
                break;
            default: // v_prediction
                predOriginal = Math.Sqrt(alphaProdT) * sample - Math.Sqrt(betaProdT) * modelOutput;
                predEpsilon = Math.Sqrt(alphaProdT) * modelOutput + Math.Sqrt(betaProdT) * sample;
                break;
        }
        if (Config.Thresholding) predOriginal = ThresholdSample(predOriginal);
        else if (Config.ClipSample == true) predOriginal = predOriginal.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);

        double variance = Variance(alphaProdT, alphaProdTPrev);
        double stdDevT = Eta * Math.Sqrt(variance);
        if (UseClippedModelOutput)
            predEpsilon = (sample - Math.Sqrt(alphaProdT) * predOriginal) / Math.Sqrt(betaProdT);
        var direction = Math.Sqrt(1 - alphaProdTPrev - stdDevT * stdDevT) * predEpsilon;
        var prev = Math.Sqrt(alphaProdTPrev) * predOriginal + direction;
        if (Eta > 0)
        {
            var noise = Randn(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator);
            prev = prev + stdDevT * noise;
        }
        return new SchedulerOutput(scope.MoveToOuter(prev), scope.MoveToOuter(predOriginal.alias()));
    }

    private static double Variance(double alphaProdT, double alphaProdTPrev) =>
        (1 - alphaProdTPrev) / (1 - alphaProdT) * (1 - alphaProdT / alphaProdTPrev);

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithAlphas(originalSamples, noise, timesteps);
}
