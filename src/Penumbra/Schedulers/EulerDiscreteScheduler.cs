using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Euler's method on the probability-flow ODE in sigma space (Karras et al. 2022, algorithm 2) as diffusers 0.25's
/// <c>EulerDiscreteScheduler</c>: inputs scaled by 1/sqrt(sigma^2+1), optional Karras sigmas, log-linear sigma
/// interpolation, churn (<see cref="SChurn"/>; 0 by default, which makes it deterministic).
/// </summary>
public sealed class EulerDiscreteScheduler : SchedulerBase
{
    public const string ClassName = "EulerDiscreteScheduler";
    private readonly double[] _trainSigmas;

    public EulerDiscreteScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private EulerDiscreteScheduler(SchedulerConfig c, bool _) : base(c, DDIMScheduler.BuildBetas(c), c.RescaleBetasZeroSnr)
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "v_prediction", "sample", "original_sample");
        ConfigChecks.OneOf(c.InterpolationType, "interpolation_type", ClassName, "linear", "log_linear");
        ConfigChecks.OneOf(c.TimestepType, "timestep_type", ClassName, "discrete", "continuous");
        _trainSigmas = NoiseSchedule.TrainSigmas(AlphasCumprod);
        int n = c.NumTrainTimesteps;
        var sigmas = NumpyOps.Reverse(_trainSigmas).Append(0.0).ToArray();
        var timesteps = Continuous
            ? NumpyOps.Reverse(_trainSigmas).Select(s => (double)(0.25f * MathF.Log((float)s))).ToArray()
            : NumpyOps.Reverse(NumpyOps.Linspace(0, n - 1, n));
        SetSchedule(timesteps, ScalarType.Float32, sigmas, null);
    }

    /// <summary>Churn of the stochastic sampler (diffusers' <c>step(s_churn=...)</c>); 0 = deterministic.</summary>
    public double SChurn { get; set; }
    public double STmin { get; set; }
    public double STmax { get; set; } = double.PositiveInfinity;
    public double SNoise { get; set; } = 1.0;

    private bool Continuous => Config.TimestepType == "continuous" && Config.PredictionType == "v_prediction";

    public override double InitNoiseSigma => EulerFamily.InitNoiseSigma(SigmaValues, Config.TimestepSpacing!);

    internal static SchedulerConfig Resolve(SchedulerConfig c) => EulerFamily.ResolveDefaults(c, ClassName);

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        int train = Config.NumTrainTimesteps;
        if (numInferenceSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}: the number of inference steps must be positive");
        NumInferenceSteps = numInferenceSteps;
        var timesteps = TimestepSpacing.Float(Config.TimestepSpacing!, train, numInferenceSteps, Config.StepsOffset);
        var logSigmas = NoiseSchedule.LogSigmas(_trainSigmas);
        double[] sigmas;
        if (Config.InterpolationType == "linear")
            sigmas = EulerFamily.Interpolate(timesteps, _trainSigmas);
        else
        {
            using var lin = linspace(logSigmas[^1], logSigmas[0], numInferenceSteps + 1, ScalarType.Float32);
            using var exps = lin.exp();
            sigmas = NoiseSchedule.HostValues(exps);
        }
        if (Config.UseKarrasSigmas == true)
        {
            sigmas = NoiseSchedule.KarrasSigmas(Config.SigmaMin ?? sigmas[^1], Config.SigmaMax ?? sigmas[0], numInferenceSteps);
            timesteps = NumpyOps.ToFloat32(sigmas.Select(s => NoiseSchedule.SigmaToT(s, logSigmas)).ToArray());
        }
        sigmas = NumpyOps.ToFloat32(sigmas);
        if (Continuous) timesteps = sigmas.Select(s => (double)(0.25f * MathF.Log((float)s))).ToArray();
        SetSchedule(timesteps, ScalarType.Float32, sigmas.Append(0.0).ToArray(), device);
        StepIndex = null;
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        StepIndex ??= StepIndexFor(timestep);
        return EulerFamily.ScaleInput(sample, SigmaValues[StepIndex.Value]);
    }

    public override SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        StepIndex ??= StepIndexFor(timestep);
        using var scope = NewDisposeScope();
        int i = StepIndex.Value;
        var x = sample.to(ScalarType.Float32);
        double sigma = SigmaValues[i];
        double gamma = STmin <= sigma && sigma <= STmax ? Math.Min(SChurn / (SigmaValues.Length - 1), Math.Sqrt(2) - 1) : 0.0;
        // diffusers draws this noise on every step, used or not; drawing it keeps a shared generator's stream identical.
        var noise = Randn(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator);
        var eps = noise * SNoise;
        double sigmaHat = sigma * (gamma + 1);
        if (gamma > 0) x = x + eps * Math.Sqrt(sigmaHat * sigmaHat - sigma * sigma);
        var predOriginal = Config.PredictionType switch
        {
            "epsilon" => x - sigmaHat * modelOutput,
            "v_prediction" => modelOutput * (-sigma / Math.Sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1),
            _ => modelOutput.alias(),
        };
        var derivative = (x - predOriginal) / sigmaHat;
        double dt = SigmaValues[i + 1] - sigmaHat;
        var prev = (x + derivative * dt).to(modelOutput.dtype);
        StepIndex = i + 1;
        return new SchedulerOutput(scope.MoveToOuter(prev), scope.MoveToOuter(predOriginal));
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithSigmas(originalSamples, noise, TimestepList(timesteps).Select(UniqueIndexOf));
}
