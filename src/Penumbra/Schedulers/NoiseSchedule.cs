using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Beta schedules and the quantities derived from them, computed as diffusers 0.25 computes them: betas in float32
/// (<c>torch.linspace(..., dtype=float32)</c>, or float64 Python maths cast to float32 for the cosine schedule),
/// alphas_cumprod as a float32 <c>torch.cumprod</c>.
/// </summary>
public static class NoiseSchedule
{
    /// <summary>
    /// The betas of <paramref name="config"/> for <paramref name="className"/>; <paramref name="extraSchedules"/> lists the
    /// schedules beyond linear / scaled_linear / squaredcos_cap_v2 that the class accepts (DDPM: sigmoid, Heun: exp).
    /// </summary>
    public static Tensor Betas(SchedulerConfig config, string className, params string[] extraSchedules)
    {
        int n = config.NumTrainTimesteps;
        if (n <= 0) throw new ArgumentException($"{className}: num_train_timesteps must be positive, got {n}");
        if (config.TrainedBetas is { } trained)
        {
            if (trained.Length != n)
                throw new ArgumentException($"{className}: trained_betas has {trained.Length} values, num_train_timesteps is {n}");
            return tensor(trained.Select(b => (float)b).ToArray(), float32);
        }
        double start = config.BetaStart ?? throw new ArgumentException($"{className}: beta_start is not set");
        double end = config.BetaEnd ?? throw new ArgumentException($"{className}: beta_end is not set");
        string schedule = config.BetaSchedule;
        if (schedule == "sigmoid" && extraSchedules.Contains(schedule))
        {
            using var x = linspace(-6, 6, n, float32);
            using var s = sigmoid(x);
            using var scaled = s * (end - start);
            return scaled + start;
        }
        if (schedule == "exp" && extraSchedules.Contains(schedule))
            return BetasForAlphaBar(n, t => Math.Exp(t * -12.0));
        return schedule switch
        {
            "linear" => linspace(start, end, n, float32),
            "scaled_linear" => ScaledLinear(start, end, n),
            "squaredcos_cap_v2" => BetasForAlphaBar(n, CosineAlphaBar),
            _ => throw new NotSupportedException(
                $"{className}: beta_schedule '{schedule}' is not supported; valid: "
                + string.Join(", ", new[] { "linear", "scaled_linear", "squaredcos_cap_v2" }.Concat(extraSchedules))),
        };
    }

    private static Tensor ScaledLinear(double start, double end, int n)
    {
        using var root = linspace(Math.Pow(start, 0.5), Math.Pow(end, 0.5), n, float32);
        return root.square();
    }

    /// <summary>The cosine alpha-bar of improved DDPM (Nichol and Dhariwal 2021): cos((t + 0.008) / 1.008 * pi / 2)^2.</summary>
    public static double CosineAlphaBar(double t)
    {
        double c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /// <summary>betas[i] = min(1 - alpha_bar((i+1)/n) / alpha_bar(i/n), max_beta), in float64, returned as float32.</summary>
    public static Tensor BetasForAlphaBar(int n, Func<double, double> alphaBar, double maxBeta = 0.999)
    {
        var betas = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t1 = (double)i / n, t2 = (double)(i + 1) / n;
            betas[i] = (float)Math.Min(1 - alphaBar(t2) / alphaBar(t1), maxBeta);
        }
        return tensor(betas, float32);
    }

    /// <summary>
    /// Rescales betas to zero terminal SNR (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are
    /// Flawed", Algorithm 1): shift and scale sqrt(alpha_bar) so its last value is 0 and its first is unchanged.
    /// </summary>
    public static Tensor RescaleZeroTerminalSnr(Tensor betas)
    {
        using var scope = NewDisposeScope();
        var alphas = 1.0 - betas;
        var alphasBarSqrt = alphas.cumprod(0).sqrt();
        long n = alphasBarSqrt.shape[0];
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[n - 1].clone();
        alphasBarSqrt = (alphasBarSqrt - last) * (first / (first - last));
        var alphasBar = alphasBarSqrt.square();
        var ratios = alphasBar.narrow(0, 1, n - 1) / alphasBar.narrow(0, 0, n - 1);
        var rescaled = cat(new[] { alphasBar.narrow(0, 0, 1), ratios }, 0);
        return scope.MoveToOuter(1 - rescaled);
    }

    /// <summary>cumprod(1 - betas) in the dtype of <paramref name="betas"/>.</summary>
    public static Tensor AlphasCumprod(Tensor betas)
    {
        using var alphas = 1.0 - betas;
        return alphas.cumprod(0);
    }

    /// <summary>((1 - alphas_cumprod) / alphas_cumprod) ** 0.5 in float32, as a float64 array of the float32 values.</summary>
    public static double[] TrainSigmas(Tensor alphasCumprod)
    {
        using var scope = NewDisposeScope();
        var ac = alphasCumprod.to(float32);
        var sigmas = ((1 - ac) / ac).pow(0.5);
        return sigmas.cpu().data<float>().Select(v => (double)v).ToArray();
    }

    /// <summary>The float32 host values of a one-dimensional tensor, widened to double.</summary>
    public static double[] HostValues(Tensor t)
    {
        using var c = t.detach().cpu().to(float64);
        return c.data<double>().ToArray();
    }

    /// <summary>
    /// Karras et al. (2022) sigmas: (max^(1/rho) + ramp * (min^(1/rho) - max^(1/rho)))^rho with rho = 7 and ramp =
    /// linspace(0, 1, n).
    /// </summary>
    public static double[] KarrasSigmas(double sigmaMin, double sigmaMax, int n)
    {
        const double rho = 7.0;
        var ramp = NumpyOps.Linspace(0, 1, n);
        double minInvRho = Math.Pow(sigmaMin, 1 / rho), maxInvRho = Math.Pow(sigmaMax, 1 / rho);
        return ramp.Select(r => Math.Pow(maxInvRho + r * (minInvRho - maxInvRho), rho)).ToArray();
    }

    /// <summary>
    /// diffusers' <c>_sigma_to_t</c>: the fractional train timestep whose log-sigma brackets log(sigma), linearly
    /// interpolated in log-sigma. <paramref name="logSigmas"/> are the float32 log train sigmas; the comparison and
    /// weight are computed in float32 like numpy 1.x does for a float64 scalar against a float32 array.
    /// </summary>
    public static double SigmaToT(double sigma, float[] logSigmas)
    {
        float logSigma = (float)Math.Log(Math.Max(sigma, 1e-10));
        int n = logSigmas.Length;
        int lowIdx = 0;
        for (int i = 0; i < n; i++) if (logSigma - logSigmas[i] >= 0) lowIdx = i;
        lowIdx = Math.Min(lowIdx, n - 2);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx], high = logSigmas[highIdx];
        float w = (low - logSigma) / (low - high);
        w = Math.Clamp(w, 0f, 1f);
        return (double)(1f - w) * lowIdx + (double)w * highIdx;
    }

    /// <summary>np.log of the float32 train sigmas, in float32.</summary>
    public static float[] LogSigmas(double[] trainSigmas) => trainSigmas.Select(s => MathF.Log((float)s)).ToArray();
}
