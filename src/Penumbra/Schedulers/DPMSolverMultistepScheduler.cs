using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022) as diffusers 0.25's <c>DPMSolverMultistepScheduler</c>:
/// algorithm types dpmsolver, dpmsolver++, sde-dpmsolver, sde-dpmsolver++; solver orders 1-3; midpoint or heun
/// second-order updates; Karras or "Lu" sigmas; lower-order final steps below 15 steps. As in 0.25 (which has no
/// <c>final_sigmas_type</c>), the schedule ends at the sigma of train timestep 0, or with Karras sigmas repeats the
/// last sigma, which makes the final step an identity.
/// </summary>
public sealed class DPMSolverMultistepScheduler : SchedulerBase
{
    public const string ClassName = "DPMSolverMultistepScheduler";
    private readonly double[] _trainSigmas;
    private readonly float[] _lambdas;
    private Tensor?[] _modelOutputs;
    private int _lowerOrderNums;

    public DPMSolverMultistepScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private DPMSolverMultistepScheduler(SchedulerConfig c, bool _) : base(c, NoiseSchedule.Betas(c, ClassName))
    {
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "sample", "v_prediction");
        if (c.SolverOrder is < 1 or > 3) throw new NotSupportedException($"{ClassName}: solver_order {c.SolverOrder} is not supported; valid: 1, 2, 3");
        _trainSigmas = NoiseSchedule.TrainSigmas(AlphasCumprod);
        using (var alphaT = AlphasCumprod.sqrt())
        using (var sigmaT = (1 - AlphasCumprod).sqrt())
        using (var lambda = alphaT.log() - sigmaT.log())
            _lambdas = lambda.data<float>().ToArray();
        _modelOutputs = new Tensor?[c.SolverOrder];
        int n = c.NumTrainTimesteps;
        SetSchedule(NumpyOps.Reverse(NumpyOps.Linspace(0, n - 1, n)), ScalarType.Float32, _trainSigmas, null);
    }

    public override double InitNoiseSigma => 1.0;

    internal static SchedulerConfig Resolve(SchedulerConfig c)
    {
        ConfigChecks.OneOf(c.AlgorithmType, "algorithm_type", ClassName, "dpmsolver", "dpmsolver++", "sde-dpmsolver", "sde-dpmsolver++", "deis");
        ConfigChecks.OneOf(c.SolverType, "solver_type", ClassName, "midpoint", "heun", "logrho", "bh1", "bh2");
        return c with
        {
            ClassName = ClassName,
            BetaStart = c.BetaStart ?? 0.0001,
            BetaEnd = c.BetaEnd ?? 0.02,
            TimestepSpacing = c.TimestepSpacing ?? "linspace",
            // diffusers maps the DEIS / UniPC names onto its own, as register_to_config does in __init__.
            AlgorithmType = c.AlgorithmType == "deis" ? "dpmsolver++" : c.AlgorithmType,
            SolverType = c.SolverType is "logrho" or "bh1" or "bh2" ? "midpoint" : c.SolverType,
        };
    }

    private bool DataPrediction => Config.AlgorithmType is "dpmsolver++" or "sde-dpmsolver++";
    private bool Stochastic => Config.AlgorithmType is "sde-dpmsolver" or "sde-dpmsolver++";

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        if (numInferenceSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}: the number of inference steps must be positive");
        int train = Config.NumTrainTimesteps;
        // searchsorted(flip(lambda_t), lambda_min_clipped): how many lambdas lie below the clip.
        float clip = (float)Config.LambdaMinClipped;
        int clippedIdx = _lambdas.Count(l => l < clip);
        int lastTimestep = train - clippedIdx;
        int n = numInferenceSteps;
        double[] timesteps = Config.TimestepSpacing switch
        {
            "linspace" => NumpyOps.Reverse(NumpyOps.Round(NumpyOps.Linspace(0, lastTimestep - 1, n + 1))).Take(n).ToArray(),
            "leading" => Enumerable.Range(0, n + 1).Reverse().Take(n)
                .Select(i => (double)i * (lastTimestep / (n + 1)) + Config.StepsOffset).ToArray(),
            _ => NumpyOps.Arange(lastTimestep, 0, -(double)train / n).Select(v => NumpyOps.Round(v) - 1).ToArray(),
        };
        var logSigmas = NoiseSchedule.LogSigmas(_trainSigmas);
        double[] sigmas;
        if (Config.UseKarrasSigmas == true)
        {
            var karras = NoiseSchedule.KarrasSigmas(Config.SigmaMin ?? _trainSigmas[0], Config.SigmaMax ?? _trainSigmas[^1], n);
            timesteps = karras.Select(s => NumpyOps.Round(NoiseSchedule.SigmaToT(s, logSigmas))).ToArray();
            sigmas = karras.Append(karras[^1]).ToArray();
        }
        else if (Config.UseLuLambdas == true)
        {
            double lambdaMin = logSigmas[0], lambdaMax = logSigmas[^1];
            var lu = NumpyOps.Linspace(0, 1, n).Select(r => Math.Exp(lambdaMax + r * (lambdaMin - lambdaMax))).ToArray();
            timesteps = lu.Select(s => NumpyOps.Round(NoiseSchedule.SigmaToT(s, logSigmas))).ToArray();
            sigmas = lu.Append(lu[^1]).ToArray();
        }
        else
        {
            float ac0 = (float)AlphasCumprodValues[0];
            double sigmaLast = MathF.Pow((1 - ac0) / ac0, 0.5f);
            sigmas = EulerFamily.Interpolate(timesteps, _trainSigmas).Append(sigmaLast).ToArray();
        }
        SetSchedule(timesteps, ScalarType.Int64, NumpyOps.ToFloat32(sigmas), device);
        NumInferenceSteps = timesteps.Length;
        ResetState();
    }

    private void ResetState()
    {
        foreach (var m in _modelOutputs) m?.Dispose();
        _modelOutputs = new Tensor?[Config.SolverOrder];
        _lowerOrderNums = 0;
        StepIndex = null;
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep) => sample;

    public override SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        RequireTimesteps();
        StepIndex ??= StepIndexFor(timestep, lastIfMissing: true);
        using var scope = NewDisposeScope();
        int i = StepIndex.Value, count = TimestepValues.Length, order = Config.SolverOrder;
        bool lowerOrderFinal = i == count - 1 && (Config.EulerAtFinal || (Config.LowerOrderFinal && count < 15));
        bool lowerOrderSecond = i == count - 2 && Config.LowerOrderFinal && count < 15;

        var converted = ConvertModelOutput(modelOutput, sample, i);
        _modelOutputs[0]?.Dispose();
        for (int k = 0; k < order - 1; k++) _modelOutputs[k] = _modelOutputs[k + 1];
        _modelOutputs[order - 1] = Keep(converted);

        var noise = Stochastic ? Randn(modelOutput.shape, modelOutput.dtype, modelOutput.device, generator) : null;
        Tensor prev;
        if (order == 1 || _lowerOrderNums < 1 || lowerOrderFinal) prev = FirstOrderUpdate(converted, sample, noise, i);
        else if (order == 2 || _lowerOrderNums < 2 || lowerOrderSecond) prev = SecondOrderUpdate(sample, noise, i);
        else prev = ThirdOrderUpdate(sample, i);

        if (_lowerOrderNums < order) _lowerOrderNums++;
        StepIndex = i + 1;
        return new SchedulerOutput(scope.MoveToOuter(prev));
    }

    private static (double Alpha, double Sigma) AlphaSigma(double sigma)
    {
        double alpha = 1 / Math.Sqrt(sigma * sigma + 1);
        return (alpha, sigma * alpha);
    }

    private static double Lambda((double Alpha, double Sigma) a) => Math.Log(a.Alpha) - Math.Log(a.Sigma);

    /// <summary>The model output as the solver's variable: x0 for the ++ variants, epsilon otherwise.</summary>
    private Tensor ConvertModelOutput(Tensor modelOutput, Tensor sample, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(SigmaValues[i]);
        bool learned = Config.VarianceType is "learned" or "learned_range";
        if (DataPrediction)
        {
            var x0 = Config.PredictionType switch
            {
                "epsilon" => (sample - sigmaT * (learned ? modelOutput[.., ..3] : modelOutput)) / alphaT,
                "sample" => modelOutput.alias(),
                _ => alphaT * sample - sigmaT * modelOutput,
            };
            return Config.Thresholding ? ThresholdSample(x0) : x0;
        }
        var epsilon = Config.PredictionType switch
        {
            "epsilon" => learned ? modelOutput[.., ..3] : modelOutput.alias(),
            "sample" => (sample - alphaT * modelOutput) / sigmaT,
            _ => alphaT * modelOutput + sigmaT * sample,
        };
        if (!Config.Thresholding) return epsilon;
        var x0Pred = ThresholdSample((sample - sigmaT * epsilon) / alphaT);
        return (sample - alphaT * x0Pred) / sigmaT;
    }

    private Tensor FirstOrderUpdate(Tensor m0, Tensor sample, Tensor? noise, int i)
    {
        var t = AlphaSigma(SigmaValues[i + 1]);
        var s = AlphaSigma(SigmaValues[i]);
        double h = Lambda(t) - Lambda(s);
        return Config.AlgorithmType switch
        {
            "dpmsolver++" => t.Sigma / s.Sigma * sample - t.Alpha * (Math.Exp(-h) - 1.0) * m0,
            "dpmsolver" => t.Alpha / s.Alpha * sample - t.Sigma * (Math.Exp(h) - 1.0) * m0,
            "sde-dpmsolver++" => t.Sigma / s.Sigma * Math.Exp(-h) * sample + t.Alpha * (1 - Math.Exp(-2.0 * h)) * m0
                                 + t.Sigma * Math.Sqrt(1.0 - Math.Exp(-2 * h)) * noise!,
            _ => t.Alpha / s.Alpha * sample - 2.0 * (t.Sigma * (Math.Exp(h) - 1.0)) * m0
                 + t.Sigma * Math.Sqrt(Math.Exp(2 * h) - 1.0) * noise!,
        };
    }

    private Tensor SecondOrderUpdate(Tensor sample, Tensor? noise, int i)
    {
        var t = AlphaSigma(SigmaValues[i + 1]);
        var s0 = AlphaSigma(SigmaValues[i]);
        var s1 = AlphaSigma(SigmaValues[i - 1]);
        var m0 = _modelOutputs[^1]!;
        var m1 = _modelOutputs[^2]!;
        double h = Lambda(t) - Lambda(s0), h0 = Lambda(s0) - Lambda(s1);
        double r0 = h0 / h;
        var d0 = m0;
        var d1 = 1.0 / r0 * (m0 - m1);
        bool midpoint = Config.SolverType == "midpoint";
        switch (Config.AlgorithmType)
        {
            case "dpmsolver++":
                return midpoint
                    ? t.Sigma / s0.Sigma * sample - t.Alpha * (Math.Exp(-h) - 1.0) * d0 - 0.5 * (t.Alpha * (Math.Exp(-h) - 1.0)) * d1
                    : t.Sigma / s0.Sigma * sample - t.Alpha * (Math.Exp(-h) - 1.0) * d0 + t.Alpha * ((Math.Exp(-h) - 1.0) / h + 1.0) * d1;
            case "dpmsolver":
                return midpoint
                    ? t.Alpha / s0.Alpha * sample - t.Sigma * (Math.Exp(h) - 1.0) * d0 - 0.5 * (t.Sigma * (Math.Exp(h) - 1.0)) * d1
                    : t.Alpha / s0.Alpha * sample - t.Sigma * (Math.Exp(h) - 1.0) * d0 - t.Sigma * ((Math.Exp(h) - 1.0) / h - 1.0) * d1;
            case "sde-dpmsolver++":
            {
                var common = t.Sigma / s0.Sigma * Math.Exp(-h) * sample + t.Alpha * (1 - Math.Exp(-2.0 * h)) * d0
                             + t.Sigma * Math.Sqrt(1.0 - Math.Exp(-2 * h)) * noise!;
                return midpoint
                    ? common + 0.5 * (t.Alpha * (1 - Math.Exp(-2.0 * h))) * d1
                    : common + t.Alpha * ((1.0 - Math.Exp(-2.0 * h)) / (-2.0 * h) + 1.0) * d1;
            }
            default:
            {
                var common = t.Alpha / s0.Alpha * sample - 2.0 * (t.Sigma * (Math.Exp(h) - 1.0)) * d0
                             + t.Sigma * Math.Sqrt(Math.Exp(2 * h) - 1.0) * noise!;
                return midpoint
                    ? common - t.Sigma * (Math.Exp(h) - 1.0) * d1
                    : common - 2.0 * (t.Sigma * ((Math.Exp(h) - 1.0) / h - 1.0)) * d1;
            }
        }
    }

    private Tensor ThirdOrderUpdate(Tensor sample, int i)
    {
        if (Stochastic) throw new NotSupportedException($"{ClassName}: third-order updates exist only for dpmsolver and dpmsolver++");
        var t = AlphaSigma(SigmaValues[i + 1]);
        var s0 = AlphaSigma(SigmaValues[i]);
        var s1 = AlphaSigma(SigmaValues[i - 1]);
        var s2 = AlphaSigma(SigmaValues[i - 2]);
        var m0 = _modelOutputs[^1]!;
        var m1 = _modelOutputs[^2]!;
        var m2 = _modelOutputs[^3]!;
        double h = Lambda(t) - Lambda(s0), h0 = Lambda(s0) - Lambda(s1), h1 = Lambda(s1) - Lambda(s2);
        double r0 = h0 / h, r1 = h1 / h;
        var d10 = 1.0 / r0 * (m0 - m1);
        var d11 = 1.0 / r1 * (m1 - m2);
        var d1 = d10 + r0 / (r0 + r1) * (d10 - d11);
        var d2 = 1.0 / (r0 + r1) * (d10 - d11);
        return Config.AlgorithmType == "dpmsolver++"
            ? t.Sigma / s0.Sigma * sample - t.Alpha * (Math.Exp(-h) - 1.0) * m0
              + t.Alpha * ((Math.Exp(-h) - 1.0) / h + 1.0) * d1 - t.Alpha * ((Math.Exp(-h) - 1.0 + h) / (h * h) - 0.5) * d2
            : t.Alpha / s0.Alpha * sample - t.Sigma * (Math.Exp(h) - 1.0) * m0
              - t.Sigma * ((Math.Exp(h) - 1.0) / h - 1.0) * d1 - t.Sigma * ((Math.Exp(h) - 1.0 - h) / (h * h) - 0.5) * d2;
    }

    /// <summary>alpha_t x + sigma_t noise with alpha_t = 1/sqrt(sigma^2+1), sigma_t = sigma alpha_t at each timestep's index.</summary>
    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var pairs = TimestepList(timesteps).Select(t => AlphaSigma(SigmaValues[StepIndexFor(t, lastIfMissing: true)])).ToArray();
        var alpha = Broadcastable(tensor(pairs.Select(p => p.Alpha).ToArray(), originalSamples.dtype, originalSamples.device), originalSamples);
        var sigma = Broadcastable(tensor(pairs.Select(p => p.Sigma).ToArray(), originalSamples.dtype, originalSamples.device), originalSamples);
        return scope.MoveToOuter(alpha * originalSamples + sigma * noise);
    }

    public override void Dispose()
    {
        foreach (var m in _modelOutputs) m?.Dispose();
        base.Dispose();
    }
}
