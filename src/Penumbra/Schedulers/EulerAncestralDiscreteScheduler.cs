using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Ancestral Euler sampling (k-diffusion's <c>sample_euler_ancestral</c>) as diffusers 0.25's
/// <c>EulerAncestralDiscreteScheduler</c>: an Euler step down to sigma_down, then fresh noise of scale sigma_up,
/// drawn from the generator passed to <see cref="Step"/>.
/// </summary>
public sealed class EulerAncestralDiscreteScheduler : SchedulerBase
{
    public const string ClassName = "EulerAncestralDiscreteScheduler";
    private readonly double[] _trainSigmas;

    public EulerAncestralDiscreteScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private EulerAncestralDiscreteScheduler(SchedulerConfig c, bool _) : base(c, DDIMScheduler.BuildBetas(c), c.RescaleBetasZeroSnr)
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "v_prediction");
        _trainSigmas = NoiseSchedule.TrainSigmas(AlphasCumprod);
        int n = c.NumTrainTimesteps;
        SetSchedule(NumpyOps.Reverse(NumpyOps.Linspace(0, n - 1, n)), ScalarType.Float32,
            NumpyOps.Reverse(_trainSigmas).Append(0.0).ToArray(), null);
    }

    public override double InitNoiseSigma => EulerFamily.InitNoiseSigma(SigmaValues, Config.TimestepSpacing!);

    internal static SchedulerConfig Resolve(SchedulerConfig c) => EulerFamily.ResolveDefaults(c, ClassName);

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        if (numInferenceSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}: the number of inference steps must be positive");
        NumInferenceSteps = numInferenceSteps;
        var timesteps = TimestepSpacing.Float(Config.TimestepSpacing!, Config.NumTrainTimesteps, numInferenceSteps, Config.StepsOffset);
        var sigmas = EulerFamily.Interpolate(timesteps, _trainSigmas).Append(0.0).ToArray();
        SetSchedule(timesteps, ScalarType.Float32, sigmas, device);
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
        double sigma = SigmaValues[i];
        var x = sample.to(ScalarType.Float32);
        var predOriginal = Config.PredictionType == "epsilon"
            ? x - sigma * modelOutput
            : modelOutput * (-sigma / Math.Sqrt(sigma * sigma + 1)) + x / (sigma * sigma + 1);
        double sigmaFrom = sigma, sigmaTo = SigmaValues[i + 1];
        double sigmaUp = Math.Sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom));
        double sigmaDown = Math.Sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        var derivative = (x - predOriginal) / sigma;
        var prev = x + derivative * (sigmaDown - sigma);
        var noise = Randn(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator);
        prev = (prev + noise * sigmaUp).to(modelOutput.dtype);
        StepIndex = i + 1;
        return new SchedulerOutput(scope.MoveToOuter(prev), scope.MoveToOuter(predOriginal));
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithSigmas(originalSamples, noise, TimestepList(timesteps).Select(UniqueIndexOf));
}
