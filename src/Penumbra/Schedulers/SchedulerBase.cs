using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// State shared by the schedulers: the resolved config, betas and alphas_cumprod (float32, CPU, plus host copies for the
/// scalar maths), the timestep / sigma schedule and the step index. Tensors a scheduler keeps are detached from any
/// caller's dispose scope, so sampling loops may scope every step.
/// </summary>
public abstract class SchedulerBase : IScheduler, IDisposable
{
    private Tensor _timesteps;
    private Tensor? _sigmas;

    /// <param name="resolvedConfig">The config with the class defaults filled in.</param>
    /// <param name="betas">The float32 betas (taken over).</param>
    /// <param name="pinFinalAlphaCumprod">Set the last alphas_cumprod to 2^-24 (the Euler schedulers do this after a
    /// zero-terminal-SNR rescale, to keep the last sigma finite).</param>
    protected SchedulerBase(SchedulerConfig resolvedConfig, Tensor betas, bool pinFinalAlphaCumprod = false)
    {
        Config = resolvedConfig;
        Betas = Own(betas);
        AlphasCumprod = Own(NoiseSchedule.AlphasCumprod(Betas));
        if (pinFinalAlphaCumprod)
            using (var last = AlphasCumprod[AlphasCumprod.shape[0] - 1]) last.fill_(Math.Pow(2, -24));
        AlphasCumprodValues = NoiseSchedule.HostValues(AlphasCumprod);
        _timesteps = Own(arange(Config.NumTrainTimesteps - 1, -1, -1, int64));
        TimestepValues = NoiseSchedule.HostValues(_timesteps);
    }

    public SchedulerConfig Config { get; }
    public virtual int Order => 1;
    public abstract double InitNoiseSigma { get; }
    public Tensor Betas { get; }
    public Tensor AlphasCumprod { get; }
    public Tensor Timesteps => _timesteps;
    public Tensor? Sigmas => _sigmas;

    /// <summary>Number of inference steps of the last <see cref="SetTimesteps"/>, null before.</summary>
    public int? NumInferenceSteps { get; protected set; }

    /// <summary>Index into <see cref="Timesteps"/> of the next step (diffusers' <c>step_index</c>), null until the first call.</summary>
    public int? StepIndex { get; protected set; }

    protected double[] AlphasCumprodValues { get; }
    protected double[] TimestepValues { get; private set; }
    protected double[] SigmaValues { get; private set; } = Array.Empty<double>();

    public abstract void SetTimesteps(int numInferenceSteps, Device? device = null);
    public abstract Tensor ScaleModelInput(Tensor sample, double timestep);
    public abstract SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null);
    public abstract Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);

    public Tensor ScaleModelInput(Tensor sample, Tensor timestep) => ScaleModelInput(sample, IScheduler.TimestepValue(timestep));

    public SchedulerOutput Step(Tensor modelOutput, Tensor timestep, Tensor sample, Generator? generator = null) =>
        Step(modelOutput, IScheduler.TimestepValue(timestep), sample, generator);

    /// <summary>Replaces the schedule: <paramref name="timesteps"/> in <paramref name="dtype"/>, sigmas (float32) if given.</summary>
    protected void SetSchedule(double[] timesteps, ScalarType dtype, double[]? sigmas, Device? device)
    {
        var ts = dtype == ScalarType.Int64
            ? tensor(timesteps.Select(v => (long)v).ToArray(), int64)
            : tensor(timesteps, float64).to(dtype);
        _timesteps.Dispose();
        _timesteps = Own(device is null ? ts : ts.to(device));
        TimestepValues = NoiseSchedule.HostValues(_timesteps);
        _sigmas?.Dispose();
        _sigmas = null;
        if (sigmas is not null)
        {
            var s = tensor(sigmas.Select(v => (float)v).ToArray(), float32);
            _sigmas = Own(device is null ? s : s.to(device));
            SigmaValues = NoiseSchedule.HostValues(_sigmas);
        }
        else SigmaValues = Array.Empty<double>();
    }

    /// <summary>alphas_cumprod[t] with Python's negative indexing.</summary>
    protected double AlphaCumprodAt(long t)
    {
        long n = AlphasCumprodValues.Length;
        long i = t < 0 ? t + n : t;
        if (i < 0 || i >= n) throw new ArgumentOutOfRangeException(nameof(t), t, $"timestep outside 0..{n - 1}");
        return AlphasCumprodValues[i];
    }

    /// <summary>Indices of <see cref="Timesteps"/> equal to <paramref name="timestep"/> (compared in the schedule's precision).</summary>
    protected List<int> IndicesOf(double timestep)
    {
        bool single = _timesteps.dtype == ScalarType.Float32;
        var result = new List<int>();
        for (int i = 0; i < TimestepValues.Length; i++)
            if (single ? (float)TimestepValues[i] == (float)timestep : TimestepValues[i] == timestep) result.Add(i);
        return result;
    }

    /// <summary>diffusers' <c>_init_step_index</c>: the second match if the timestep occurs more than once, else the first.</summary>
    protected int StepIndexFor(double timestep, bool lastIfMissing = false)
    {
        var matches = IndicesOf(timestep);
        if (matches.Count == 0)
        {
            if (lastIfMissing) return TimestepValues.Length - 1;
            throw new ArgumentException($"{Config.ClassName}: timestep {timestep} is not in the schedule; pass an entry of Timesteps");
        }
        return matches.Count > 1 ? matches[1] : matches[0];
    }

    /// <summary>The one schedule index of <paramref name="timestep"/> (diffusers: <c>(timesteps == t).nonzero().item()</c>).</summary>
    protected int UniqueIndexOf(double timestep)
    {
        var matches = IndicesOf(timestep);
        if (matches.Count != 1)
            throw new ArgumentException($"{Config.ClassName}: timestep {timestep} occurs {matches.Count} times in the schedule; AddNoise needs exactly one");
        return matches[0];
    }

    protected void RequireTimesteps()
    {
        if (NumInferenceSteps is null)
            throw new InvalidOperationException($"{Config.ClassName}: call SetTimesteps before stepping");
    }

    /// <summary>Reshapes per-sample scalars [B] to [B,1,1,...] for broadcasting against <paramref name="like"/>.</summary>
    protected static Tensor Broadcastable(Tensor perSample, Tensor like)
    {
        var shape = Enumerable.Repeat(1L, (int)like.dim()).ToArray();
        shape[0] = perSample.numel();
        return perSample.reshape(shape);
    }

    /// <summary>sqrt(a[t]) x + sqrt(1 - a[t]) noise with a = alphas_cumprod: diffusers' add_noise of DDPM / DDIM / PNDM.</summary>
    protected Tensor AddNoiseWithAlphas(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var ac = AlphasCumprod.to(originalSamples.dtype, originalSamples.device);
        var t = timesteps.to(originalSamples.device).to(int64).flatten();
        var at = ac.index_select(0, t.remainder(ac.shape[0]));
        var sqrtAlpha = Broadcastable(at.pow(0.5), originalSamples);
        var sqrtOneMinus = Broadcastable((1 - at).pow(0.5), originalSamples);
        return scope.MoveToOuter(sqrtAlpha * originalSamples + sqrtOneMinus * noise);
    }

    /// <summary>x + sigma noise with the sigma of each timestep's schedule index: add_noise of the Euler family and LMS.</summary>
    protected Tensor AddNoiseWithSigmas(Tensor originalSamples, Tensor noise, IEnumerable<int> stepIndices)
    {
        using var scope = NewDisposeScope();
        if (Sigmas is null) throw new InvalidOperationException($"{Config.ClassName}: call SetTimesteps before AddNoise");
        var sigmas = Sigmas.to(originalSamples.dtype, originalSamples.device);
        var idx = tensor(stepIndices.Select(i => (long)i).ToArray(), int64, originalSamples.device);
        var sigma = Broadcastable(sigmas.index_select(0, idx), originalSamples);
        return scope.MoveToOuter(originalSamples + noise * sigma);
    }

    /// <summary>The values of a timesteps tensor on the host.</summary>
    protected static double[] TimestepList(Tensor timesteps) => NoiseSchedule.HostValues(timesteps.flatten());

    /// <summary>
    /// diffusers' <c>randn_tensor</c>: standard normal noise of the given shape, drawn on the generator's device (CPU
    /// generators draw on the CPU, then move), from the global RNG when <paramref name="generator"/> is null.
    /// </summary>
    protected static Tensor Randn(long[] shape, ScalarType dtype, Device device, Generator? generator)
    {
        if (generator is null) return randn(shape, dtype, device);
        var genDevice = generator.device;
        if (genDevice.type == device.type) return randn(shape, dtype, device, generator: generator);
        if (genDevice.type == DeviceType.CPU)
        {
            using var cpuNoise = randn(shape, dtype, CPU, generator: generator);
            return cpuNoise.to(device);
        }
        throw new ArgumentException($"cannot draw a {device} tensor from a generator on {genDevice}");
    }

    /// <summary>
    /// Dynamic thresholding (Imagen, Saharia et al. 2022): per sample, s = clamp(quantile(|x|, ratio), 1, max); x is
    /// clamped to [-s, s] and divided by s.
    /// </summary>
    protected Tensor ThresholdSample(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var dtype = sample.dtype;
        var shape = sample.shape;
        var x = sample.dtype is ScalarType.Float32 or ScalarType.Float64 ? sample : sample.to(float32);
        x = x.reshape(shape[0], -1);
        var q = tensor(Config.DynamicThresholdingRatio, x.dtype, x.device);
        var s = x.abs().quantile(q, dim: 1).clamp(1.0, Config.SampleMaxValue).unsqueeze(1);
        var result = (minimum(maximum(x, -s), s) / s).reshape(shape).to(dtype);
        return scope.MoveToOuter(result);
    }

    /// <summary>Clones <paramref name="t"/> out of any dispose scope, for state kept across steps.</summary>
    protected static Tensor Keep(Tensor t) => Own(t.detach().clone());

    protected static Tensor Own(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }

    public virtual void Dispose()
    {
        Betas.Dispose();
        AlphasCumprod.Dispose();
        _timesteps.Dispose();
        _sigmas?.Dispose();
        GC.SuppressFinalize(this);
    }
}
