namespace Penumbra.Schedulers;

/// <summary>
/// The <c>timestep_spacing</c> options of diffusers 0.25 (Lin et al. 2023, table 2), descending:
/// linspace = round(linspace(0, T-1, n)); leading = arange(n) * (T // n) + steps_offset;
/// trailing = round(arange(T, 0, -T/n)) - 1.
/// </summary>
internal static class TimestepSpacing
{
    public static readonly string[] Valid = { "linspace", "leading", "trailing" };

    public static void Validate(string spacing, string className) => ConfigChecks.OneOf(spacing, "timestep_spacing", className, Valid);

    /// <summary>Integer timesteps (DDIM, DDPM): linspace is rounded.</summary>
    public static double[] Integer(string spacing, int train, int n, int stepsOffset) => spacing switch
    {
        "linspace" => NumpyOps.Reverse(NumpyOps.Round(NumpyOps.Linspace(0, train - 1, n))),
        "leading" => Leading(train, n, stepsOffset),
        _ => Trailing(train, n),
    };

    /// <summary>Float32 timesteps (Euler, Euler ancestral, LMS, Heun): linspace is not rounded.</summary>
    public static double[] Float(string spacing, int train, int n, int stepsOffset) => spacing switch
    {
        "linspace" => NumpyOps.ToFloat32(NumpyOps.Reverse(NumpyOps.Linspace(0, train - 1, n))),
        "leading" => Leading(train, n, stepsOffset),
        _ => Trailing(train, n),
    };

    /// <summary>(arange(0, n) * (train // n)).round()[::-1] + steps_offset.</summary>
    public static double[] Leading(int train, int n, int stepsOffset)
    {
        int ratio = train / n;
        return Enumerable.Range(0, n).Reverse().Select(i => (double)i * ratio + stepsOffset).ToArray();
    }

    /// <summary>round(arange(train, 0, -train / n)) - 1.</summary>
    public static double[] Trailing(int train, int n)
    {
        double ratio = (double)train / n;
        return NumpyOps.Arange(train, 0, -ratio).Select(v => NumpyOps.Round(v) - 1).ToArray();
    }
}
