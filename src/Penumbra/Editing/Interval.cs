namespace Penumbra.Editing;

/// <summary>Mean, sample standard deviation and the 95% Student-t interval of a few values (e.g. over seeds).</summary>
public sealed record Interval(double Mean, double Std, double Low, double High, int Count)
{
    // t_{0.975, df} for df = 1..30.
    private static readonly double[] T975 =
    {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    public static Interval Of(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0) return new Interval(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double mean = values.Average();
        if (n == 1) return new Interval(mean, double.NaN, double.NaN, double.NaN, 1);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double t = n - 1 <= T975.Length ? T975[n - 2] : 1.96;
        double half = t * sd / Math.Sqrt(n);
        return new Interval(mean, sd, mean - half, mean + half, n);
    }

    /// <summary>Percent with the interval clipped to [0, 100] (the values are accuracies), e.g. <c>87.3 [84.1, 90.5]</c>.</summary>
    public string Percent() => Count > 1 ? $"{100 * Mean:F1} [{100 * Math.Max(0, Low):F1}, {100 * Math.Min(1, High):F1}]" : $"{100 * Mean:F1}";
}
