using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Linear multistep (k-diffusion's <c>sample_lms</c>) as diffusers 0.25's <c>LMSDiscreteScheduler</c>: the update
/// integrates the Lagrange polynomial through the last <see cref="StepOrder"/> derivatives over [sigma_i, sigma_i+1].
/// diffusers integrates numerically (<c>scipy.integrate.quad</c>); the integrand is a product of linear factors, so
/// here it is expanded and integrated exactly.
/// </summary>
public sealed class LMSDiscreteScheduler : SchedulerBase
{
    public const string ClassName = "LMSDiscreteScheduler";
    private readonly double[] _trainSigmas;
    private readonly List<Tensor> _derivatives = new();

    public LMSDiscreteScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private LMSDiscreteScheduler(SchedulerConfig c, bool _) : base(c, NoiseSchedule.Betas(c, ClassName))
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "v_prediction", "sample");
        _trainSigmas = NoiseSchedule.TrainSigmas(AlphasCumprod);
        // diffusers' __init__ ends with set_timesteps(num_train_timesteps).
        SetTimesteps(c.NumTrainTimesteps);
        NumInferenceSteps = null;
    }

    /// <summary>Order of the multistep method (diffusers' <c>step(order=4)</c>).</summary>
    public int StepOrder { get; set; } = 4;

    public override double InitNoiseSigma => EulerFamily.InitNoiseSigma(SigmaValues, Config.TimestepSpacing!);

    internal static SchedulerConfig Resolve(SchedulerConfig c) => EulerFamily.ResolveDefaults(c, ClassName);

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
            sigmas = NoiseSchedule.KarrasSigmas(sigmas[^1], sigmas[0], numInferenceSteps);
            timesteps = sigmas.Select(s => NoiseSchedule.SigmaToT(s, logSigmas)).ToArray();
            dtype = ScalarType.Float64; // diffusers keeps the float64 numpy array here
        }
        SetSchedule(timesteps, dtype, sigmas.Append(0.0).ToArray(), device);
        StepIndex = null;
        foreach (var d in _derivatives) d.Dispose();
        _derivatives.Clear();
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
        var predOriginal = Config.PredictionType switch
        {
            "epsilon" => sample - sigma * modelOutput,
            "v_prediction" => modelOutput * (-sigma / Math.Sqrt(sigma * sigma + 1)) + sample / (sigma * sigma + 1),
            _ => modelOutput.alias(),
        };
        var derivative = (sample - predOriginal) / sigma;
        _derivatives.Add(Keep(derivative));
        while (_derivatives.Count > StepOrder) { _derivatives[0].Dispose(); _derivatives.RemoveAt(0); }
        int order = Math.Min(i + 1, StepOrder);
        var prev = sample.alias();
        for (int k = 0; k < order; k++)
            prev = prev + LmsCoefficient(order, i, k) * _derivatives[_derivatives.Count - 1 - k];
        StepIndex = i + 1;
        return new SchedulerOutput(scope.MoveToOuter(prev), scope.MoveToOuter(predOriginal));
    }

    /// <summary>
    /// The integral over [sigma_t, sigma_t+1] of the Lagrange basis polynomial
    /// prod_{k != current} (tau - sigma_{t-k}) / (sigma_{t-current} - sigma_{t-k}), integrated exactly: the product is
    /// expanded in u = tau - sigma_t (small, well-conditioned coefficients) and each power integrated over [0, h].
    /// </summary>
    internal double LmsCoefficient(int order, int t, int current)
    {
        double a = SigmaValues[t], h = SigmaValues[t + 1] - a;
        var poly = new double[] { 1.0 }; // coefficients of increasing powers of u
        for (int k = 0; k < order; k++)
        {
            if (k == current) continue;
            double root = SigmaValues[t - k] - a;
            double scale = 1.0 / (SigmaValues[t - current] - SigmaValues[t - k]);
            var next = new double[poly.Length + 1];
            for (int p = 0; p < poly.Length; p++)
            {
                next[p + 1] += poly[p] * scale;
                next[p] -= poly[p] * root * scale;
            }
            poly = next;
        }
        double integral = 0, hPower = h;
        for (int p = 0; p < poly.Length; p++, hPower *= h) integral += poly[p] * hPower / (p + 1);
        return integral;
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithSigmas(originalSamples, noise, TimestepList(timesteps).Select(UniqueIndexOf));

    public override void Dispose()
    {
        foreach (var d in _derivatives) d.Dispose();
        base.Dispose();
    }
}
