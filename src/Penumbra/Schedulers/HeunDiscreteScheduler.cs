using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Heun's second-order method (Karras et al. 2022, algorithm 1) as diffusers 0.25's <c>HeunDiscreteScheduler</c>:
/// every timestep after the first appears twice in <see cref="SchedulerBase.Timesteps"/>; the first call of a pair
/// takes an Euler step and remembers derivative, step and sample, the second corrects with the averaged derivative.
/// The last entry is a plain Euler step to sigma 0.
/// </summary>
public sealed class HeunDiscreteScheduler : SchedulerBase
{
    public const string ClassName = "HeunDiscreteScheduler";
    private readonly double[] _trainSigmas;
    private readonly Dictionary<double, int> _indexCounter = new();
    private Tensor? _prevDerivative;
    private Tensor? _sample;
    private double? _dt;

    public HeunDiscreteScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private HeunDiscreteScheduler(SchedulerConfig c, bool _) : base(c, NoiseSchedule.Betas(c, ClassName, "exp"))
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "v_prediction", "sample");
        _trainSigmas = NoiseSchedule.TrainSigmas(AlphasCumprod);
        SetTimesteps(c.NumTrainTimesteps);
        NumInferenceSteps = null;
    }

    public override int Order => 2;

    public override double InitNoiseSigma => EulerFamily.InitNoiseSigma(SigmaValues, Config.TimestepSpacing!);

    /// <summary>True when the next <see cref="Step"/> is the first (Euler) half of a pair.</summary>
    public bool StateInFirstOrder => _dt is null;

    internal static SchedulerConfig Resolve(SchedulerConfig c) => c with
    {
        ClassName = ClassName,
        BetaStart = c.BetaStart ?? 0.00085,
        BetaEnd = c.BetaEnd ?? 0.012,
        TimestepSpacing = c.TimestepSpacing ?? "linspace",
        ClipSample = c.ClipSample ?? false,
    };

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        if (numInferenceSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}: the number of inference steps must be positive");
        NumInferenceSteps = numInferenceSteps;
        var timesteps = TimestepSpacing.Float(Config.TimestepSpacing!, Config.NumTrainTimesteps, numInferenceSteps, Config.StepsOffset);
        var sigmas = EulerFamily.Interpolate(timesteps, _trainSigmas);
        var dtype = ScalarType.Float32;
        if (Config.UseKarrasSigmas == true)
        {
            var logSigmas = NoiseSchedule.LogSigmas(_trainSigmas);
            sigmas = NoiseSchedule.KarrasSigmas(Config.SigmaMin ?? sigmas[^1], Config.SigmaMax ?? sigmas[0], numInferenceSteps);
            timesteps = sigmas.Select(s => NoiseSchedule.SigmaToT(s, logSigmas)).ToArray();
            dtype = ScalarType.Float64; // diffusers keeps the float64 numpy array here
        }
        var s32 = NumpyOps.ToFloat32(sigmas).Append(0.0).ToArray();
        // [s0, s1, s1, ..., s_{n-1}, s_{n-1}, 0] and [t0, t1, t1, ..., t_{n-1}, t_{n-1}]
        var interleavedSigmas = s32.Take(1).Concat(s32.Skip(1).Take(s32.Length - 2).SelectMany(v => new[] { v, v })).Append(s32[^1]).ToArray();
        var interleavedTimesteps = timesteps.Take(1).Concat(timesteps.Skip(1).SelectMany(v => new[] { v, v })).ToArray();
        SetSchedule(interleavedTimesteps, dtype, interleavedSigmas, device);
        ResetState();
    }

    private void ResetState()
    {
        _prevDerivative?.Dispose();
        _prevDerivative = null;
        _sample?.Dispose();
        _sample = null;
        _dt = null;
        StepIndex = null;
        _indexCounter.Clear();
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
        double key = Key(timestep);
        _indexCounter[key] = _indexCounter.GetValueOrDefault(key) + 1;
        bool first = StateInFirstOrder;
        double sigma = first ? SigmaValues[i] : SigmaValues[i - 1];
        double sigmaNext = first ? SigmaValues[i + 1] : SigmaValues[i];
        double sigmaHat = sigma;
        double sigmaInput = first ? sigmaHat : sigmaNext;
        var predOriginal = Config.PredictionType switch
        {
            "epsilon" => sample - sigmaInput * modelOutput,
            "v_prediction" => modelOutput * (-sigmaInput / Math.Sqrt(sigmaInput * sigmaInput + 1)) + sample / (sigmaInput * sigmaInput + 1),
            _ => modelOutput.alias(),
        };
        if (Config.ClipSample == true) predOriginal = predOriginal.clamp(-Config.ClipSampleRange, Config.ClipSampleRange);

        Tensor prev;
        if (first)
        {
            var derivative = (sample - predOriginal) / sigmaHat;
            double dt = sigmaNext - sigmaHat;
            _prevDerivative?.Dispose();
            _prevDerivative = Keep(derivative);
            _sample?.Dispose();
            _sample = Keep(sample);
            _dt = dt;
            prev = sample + derivative * dt;
        }
        else
        {
            var derivative = ((sample - predOriginal) / sigmaNext + _prevDerivative!) / 2;
            prev = _sample! + derivative * _dt!.Value;
            _prevDerivative?.Dispose();
            _prevDerivative = null;
            _sample?.Dispose();
            _sample = null;
            _dt = null;
        }
        StepIndex = i + 1;
        return new SchedulerOutput(scope.MoveToOuter(prev));
    }

    private double Key(double timestep) => Timesteps.dtype == ScalarType.Float32 ? (float)timestep : timestep;

    /// <summary>
    /// diffusers' <c>index_for_timestep</c>: before any step, the second occurrence of a repeated timestep; afterwards
    /// the occurrence given by how often that timestep has been stepped.
    /// </summary>
    private int IndexForTimestep(double timestep)
    {
        var indices = IndicesOf(timestep);
        int pos = _indexCounter.Count == 0 ? (indices.Count > 1 ? 1 : 0) : _indexCounter.GetValueOrDefault(Key(timestep));
        if (pos >= indices.Count)
            throw new ArgumentException($"{ClassName}: timestep {timestep} has no occurrence {pos} in the schedule");
        return indices[pos];
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithSigmas(originalSamples, noise, TimestepList(timesteps).Select(IndexForTimestep));

    public override void Dispose()
    {
        ResetState();
        base.Dispose();
    }
}
