using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Pseudo numerical methods (Liu et al. 2022) as diffusers 0.25's <c>PNDMScheduler</c>: Runge-Kutta warm-up steps
/// (unless <c>skip_prk_steps</c>), then linear multistep (PLMS). With <c>skip_prk_steps</c> the second timestep is
/// repeated: the first two model calls form one Heun-like step.
/// </summary>
public sealed class PNDMScheduler : SchedulerBase
{
    public const string ClassName = "PNDMScheduler";
    private const int PndmOrder = 4;
    private readonly double _finalAlphaCumprod;
    private readonly List<Tensor> _ets = new();
    private Tensor? _curModelOutput;
    private Tensor? _curSample;
    private int _counter;
    private int _prkCount;

    public PNDMScheduler(SchedulerConfig config) : this(Resolve(config), true) { }

    private PNDMScheduler(SchedulerConfig c, bool _) : base(c, NoiseSchedule.Betas(c, ClassName))
    {
        _finalAlphaCumprod = c.SetAlphaToOne == true ? 1.0 : AlphasCumprodValues[0];
        TimestepSpacing.Validate(c.TimestepSpacing!, ClassName);
        ConfigChecks.OneOf(c.PredictionType, "prediction_type", ClassName, "epsilon", "v_prediction");
    }

    public override double InitNoiseSigma => 1.0;

    internal static SchedulerConfig Resolve(SchedulerConfig c) => c with
    {
        ClassName = ClassName,
        BetaStart = c.BetaStart ?? 0.0001,
        BetaEnd = c.BetaEnd ?? 0.02,
        TimestepSpacing = c.TimestepSpacing ?? "leading",
        SetAlphaToOne = c.SetAlphaToOne ?? false,
    };

    public override void SetTimesteps(int numInferenceSteps, Device? device = null)
    {
        int train = Config.NumTrainTimesteps;
        if (numInferenceSteps <= 0 || numInferenceSteps > train)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"{ClassName}: the number of inference steps must be in 1..num_train_timesteps ({train})");
        NumInferenceSteps = numInferenceSteps;
        // Ascending, as PNDM builds them.
        double[] ascending = Config.TimestepSpacing switch
        {
            "linspace" => NumpyOps.Round(NumpyOps.Linspace(0, train - 1, numInferenceSteps)),
            "leading" => NumpyOps.Reverse(TimestepSpacing.Leading(train, numInferenceSteps, Config.StepsOffset)),
            _ => NumpyOps.Reverse(TimestepSpacing.Trailing(train, numInferenceSteps)),
        };
        var prk = new List<double>();
        var plms = new List<double>();
        if (Config.SkipPrkSteps)
        {
            int n = ascending.Length;
            if (n < 2) throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}: PLMS needs at least 2 steps");
            plms.AddRange(ascending.Take(n - 1));
            plms.Add(ascending[n - 2]);
            plms.Add(ascending[n - 1]);
            plms.Reverse();
        }
        else
        {
            if (ascending.Length < PndmOrder)
                throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                    $"{ClassName}: Runge-Kutta warm-up needs at least {PndmOrder} steps (or set skip_prk_steps)");
            int half = train / numInferenceSteps / 2;
            // np.array(ts[-4:]).repeat(2) + np.tile([0, half], 4)
            var warm = ascending.Skip(ascending.Length - PndmOrder).SelectMany(t => new[] { t, t + half }).ToList();
            // (warm[:-1].repeat(2)[1:-1])[::-1]
            var repeated = warm.Take(warm.Count - 1).SelectMany(t => new[] { t, t }).ToList();
            prk.AddRange(repeated.Skip(1).Take(repeated.Count - 2).Reverse());
            plms.AddRange(ascending.Take(ascending.Length - 3).Reverse());
        }
        _prkCount = prk.Count;
        SetSchedule(prk.Concat(plms).ToArray(), ScalarType.Int64, null, device);
        _prkTimesteps = prk.ToArray();
        ResetState();
    }

    private double[] _prkTimesteps = Array.Empty<double>();

    private void ResetState()
    {
        foreach (var e in _ets) e.Dispose();
        _ets.Clear();
        _curModelOutput?.Dispose();
        _curModelOutput = null;
        _curSample?.Dispose();
        _curSample = null;
        _counter = 0;
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep) => sample;

    public override SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null)
    {
        RequireTimesteps();
        return _counter < _prkCount && !Config.SkipPrkSteps
            ? StepPrk(modelOutput, (long)timestep, sample)
            : StepPlms(modelOutput, (long)timestep, sample);
    }

    private SchedulerOutput StepPrk(Tensor modelOutput, long timestep, Tensor sample)
    {
        using var scope = NewDisposeScope();
        long diffToPrev = _counter % 2 == 1 ? 0 : Config.NumTrainTimesteps / NumInferenceSteps!.Value / 2;
        long prevTimestep = timestep - diffToPrev;
        timestep = (long)_prkTimesteps[_counter / 4 * 4];
        Tensor output = modelOutput;
        switch (_counter % 4)
        {
            case 0:
                Accumulate(modelOutput, 1.0 / 6);
                _ets.Add(Keep(modelOutput));
                _curSample?.Dispose();
                _curSample = Keep(sample);
                break;
            case 1:
            case 2:
                Accumulate(modelOutput, 1.0 / 3);
                break;
            default:
                output = _curModelOutput is null ? 1.0 / 6 * modelOutput : _curModelOutput + 1.0 / 6 * modelOutput;
                _curModelOutput?.Dispose();
                _curModelOutput = null;
                break;
        }
        var current = _curSample ?? sample;
        var prev = PrevSample(current, timestep, prevTimestep, output);
        _counter++;
        return new SchedulerOutput(scope.MoveToOuter(prev));
    }

    private void Accumulate(Tensor modelOutput, double weight)
    {
        var next = _curModelOutput is null ? weight * modelOutput : _curModelOutput + weight * modelOutput;
        _curModelOutput?.Dispose();
        _curModelOutput = Own(next);
    }

    private SchedulerOutput StepPlms(Tensor modelOutput, long timestep, Tensor sample)
    {
        if (!Config.SkipPrkSteps && _ets.Count < 3)
            throw new InvalidOperationException($"{ClassName}: PLMS steps can only run after the Runge-Kutta warm-up steps");
        using var scope = NewDisposeScope();
        long stride = Config.NumTrainTimesteps / NumInferenceSteps!.Value;
        long prevTimestep = timestep - stride;
        if (_counter != 1)
        {
            while (_ets.Count > 3) { _ets[0].Dispose(); _ets.RemoveAt(0); }
            _ets.Add(Keep(modelOutput));
        }
        else
        {
            prevTimestep = timestep;
            timestep += stride;
        }

        Tensor output;
        if (_ets.Count == 1 && _counter == 0)
        {
            output = modelOutput;
            _curSample?.Dispose();
            _curSample = Keep(sample);
        }
        else if (_ets.Count == 1 && _counter == 1)
        {
            output = (modelOutput + _ets[^1]) / 2;
            sample = _curSample!.alias();
            _curSample.Dispose();
            _curSample = null;
        }
        else if (_ets.Count == 2) output = (3 * _ets[^1] - _ets[^2]) / 2;
        else if (_ets.Count == 3) output = (23 * _ets[^1] - 16 * _ets[^2] + 5 * _ets[^3]) / 12;
        else output = 1.0 / 24 * (55 * _ets[^1] - 59 * _ets[^2] + 37 * _ets[^3] - 9 * _ets[^4]);

        var prev = PrevSample(sample, timestep, prevTimestep, output);
        _counter++;
        return new SchedulerOutput(scope.MoveToOuter(prev));
    }

    /// <summary>Formula (9) of the PNDM paper: x_{t-δ} from x_t and the (combined) noise estimate.</summary>
    private Tensor PrevSample(Tensor sample, long timestep, long prevTimestep, Tensor modelOutput)
    {
        double alphaProdT = AlphaCumprodAt(timestep);
        double alphaProdTPrev = prevTimestep >= 0 ? AlphaCumprodAt(prevTimestep) : _finalAlphaCumprod;
        double betaProdT = 1 - alphaProdT;
        double betaProdTPrev = 1 - alphaProdTPrev;
        if (Config.PredictionType == "v_prediction")
            modelOutput = Math.Sqrt(alphaProdT) * modelOutput + Math.Sqrt(betaProdT) * sample;
        double sampleCoeff = Math.Sqrt(alphaProdTPrev / alphaProdT);
        double denom = alphaProdT * Math.Sqrt(betaProdTPrev) + Math.Sqrt(alphaProdT * betaProdT * alphaProdTPrev);
        return sampleCoeff * sample - (alphaProdTPrev - alphaProdT) * modelOutput / denom;
    }

    public override Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) =>
        AddNoiseWithAlphas(originalSamples, noise, timesteps);

    public override void Dispose()
    {
        ResetState();
        base.Dispose();
    }
}
