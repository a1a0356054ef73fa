using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Ancestral DDPM sampling (Ho et al. 2020) as diffusers 0.25's <c>DDPMScheduler</c>: posterior mean from x0 and x_t,
/// plus noise from the generator passed to <see cref="Step"/> scaled by the posterior variance
/// (<c>variance_type</c> fixed_small by default; fixed_small_log, fixed_large, learned, learned_range also supported).
/// </summary>
public sealed class DDPMScheduler : SchedulerBase
{
    public const string ClassName = "DDPMScheduler";

    public DDPMScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private DDPMScheduler(SchedulerConfig c, bool _) : base(c, BuildBetas(c))
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "sample", "v_prediction");
        ConfigChecks.OneOf(c.VarianceType, "variance_type", ClassName, "fixed_small", "fixed_small_log", "fixed_large", "learned", "learned_range");
    }

    public override double InitNoiseSigma => 1.0;

    internal static SchedulerConfig Resolve(SchedulerConfig c) => c with
    {
        ClassName = ClassName,
        BetaStart = c.BetaStart ?? 0.0001,
        BetaEnd = c.BetaEnd ?? 0.02,
        TimestepSpacing = c.TimestepSpacing ?? "leading",
        ClipSample = c.ClipSample ?? true,
        // A null variance_type (e.g. from a DPM-Solver config) falls through diffusers' branches as fixed_small does.
        VarianceType = c.VarianceType ?? "fixed_small",
    };

    private static Tensor BuildBetas(SchedulerConfig c)
    {
        var betas = NoiseSchedule.Betas(c, ClassName, "sigmoid");
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
        SetSchedule(TimestepSpacing.Integer(Config.TimestepSpacing!, train, numInferenceSteps, Config.StepsOffset), ScalarType.Int64, null, device);
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep) => sample;

    private long PreviousTimestep(long t) => t - Config.NumTrainTimesteps / (NumInferenceSteps ?? Config.NumTrainTimesteps);

    public override SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        long t = (long)timestep;
        long prevT = PreviousTimestep(t);
        Tensor? predictedVariance = null;
        bool learned = Config.VarianceType is "learned" or "learned_range";
        if (learned && modelOutput.shape[1] == sample.shape[1] * 2)
        {
            var parts = modelOutput.split(sample.shape[1], 1);
            modelOutput = parts[0];
            predictedVariance = parts[1];
        }
        double alphaProdT = AlphaCumprodAt(t);
        double alphaProdTPrev = prevT >= 0 ? AlphaCumprodAt(prevT) : 1.0;
        double betaProdT = 1 - alphaProdT, betaProdTPrev = 1 - alphaProdTPrev;
        double currentAlphaT = alphaProdT / alphaProdTPrev, currentBetaT = 1 - currentAlphaT;

        var predOriginal = Config.PredictionType switch
        {
            "epsilon" => (sample - Math.Sqrt(betaProdT) * modelOutput) / Math.Sqrt(alphaProdT),
            "sample" => modelOutput.alias(),
            _ => Math.Sqrt(alphaProdT) * sample - Math.Sqrt(betaProdT) * modelOutput,
        };
        if (Config.Thresholding) predOriginal = ThresholdSample(predOriginal);
        else if (Config.ClipSample == true) predOriginal = predOriginal.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);

        // Formula (7) of the DDPM paper: the posterior mean.
        double predOriginalCoeff = Math.Sqrt(alphaProdTPrev) * currentBetaT / betaProdT;
        double currentSampleCoeff = Math.Sqrt(currentAlphaT) * betaProdTPrev / betaProdT;
        var prev = predOriginalCoeff * predOriginal + currentSampleCoeff * sample;

        if (t > 0)
        {
            var noise = Randn(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator);
            double variance = Math.Max((1 - alphaProdTPrev) / (1 - alphaProdT) * currentBetaT, 1e-20);
            prev = Config.VarianceType switch
            {
                "fixed_small" => prev + Math.Sqrt(variance) * noise,
                "fixed_small_log" => prev + Math.Exp(0.5 * Math.Log(variance)) * noise,
                "fixed_large" => prev + Math.Sqrt(currentBetaT) * noise,
                "learned" => prev + RequireVariance(predictedVariance).pow(0.5) * noise,
                _ => prev + (0.5 * LearnedRange(RequireVariance(predictedVariance), variance, currentBetaT)).exp() * noise,
            };
        }
        return new SchedulerOutput(scope.MoveToOuter(prev), scope.MoveToOuter(predOriginal));
    }

    private static Tensor RequireVariance(Tensor? predicted) => predicted
        ?? throw new ArgumentException($"{ClassName}: a learned variance_type needs a model output with twice the sample's channels");

    /// <summary>Improved DDPM: the log variance interpolated between the fixed small and large values by the model output.</summary>
    private static Tensor LearnedRange(Tensor predicted, double variance, double currentBetaT)
    {
        var frac = (predicted + 1) / 2;
        return frac * Math.Log(currentBetaT) + (1 - frac) * Math.Log(variance);
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithAlphas(originalSamples, noise, timesteps);

    /// <summary>The v-prediction target sqrt(a_t) noise - sqrt(1 - a_t) sample (diffusers' <c>get_velocity</c>).</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var ac = AlphasCumprod.to(sample.dtype, sample.device);
        var at = ac.index_select(0, timesteps.to(sample.device).to(ScalarType.Int64).flatten());
        var v = Broadcastable(at.pow(0.5), sample) * noise - Broadcastable((1 - at).pow(0.5), sample) * sample;
        return scope.MoveToOuter(v);
    }
}
