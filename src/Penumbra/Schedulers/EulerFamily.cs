using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>Pieces shared by the sigma-space schedulers (Euler, Euler ancestral, LMS, Heun).</summary>
internal static class EulerFamily
{
    /// <summary>The class defaults that diffusers 0.25's Euler, Euler ancestral and LMS schedulers share
    /// (beta 1e-4 … 0.02, linspace spacing), filled in where the config leaves them null.</summary>
    internal static SchedulerConfig ResolveDefaults(SchedulerConfig c, string className) => c with
    {
        ClassName = className,
        BetaStart = c.BetaStart ?? 0.0001,
        BetaEnd = c.BetaEnd ?? 0.02,
        TimestepSpacing = c.TimestepSpacing ?? "linspace",
    };

    /// <summary>np.interp(timesteps, arange(len(sigmas)), sigmas).</summary>
    public static double[] Interpolate(double[] timesteps, double[] trainSigmas) =>
        NumpyOps.Interp(timesteps, Enumerable.Range(0, trainSigmas.Length).Select(i => (double)i).ToArray(), trainSigmas);

    /// <summary>max sigma for linspace / trailing spacing, else sqrt(max^2 + 1) (in float32, as diffusers computes it).</summary>
    public static double InitNoiseSigma(double[] sigmas, string spacing)
    {
        float max = (float)sigmas.Max();
        return spacing is "linspace" or "trailing" ? max : MathF.Sqrt(max * max + 1f);
    }

    /// <summary>sample / sqrt(sigma^2 + 1), the divisor in float32.</summary>
    public static Tensor ScaleInput(Tensor sample, double sigma)
    {
        float s = (float)sigma;
        return sample / MathF.Sqrt(s * s + 1f);
    }
}
