using MathNet.Numerics.Random;

namespace Penumbra.Reports;

/// <summary>
/// Seeded percentile bootstrap: draw n indices with replacement (Mersenne Twister seeded with <c>seed</c>),
/// evaluate the statistic, repeat <c>resamples</c> times; the interval is the type-7 quantiles at (1 - level)/2 and
/// (1 + level)/2 of the finite replicates (replicates that give NaN, e.g. a constant resample for a correlation, are
/// dropped). The same seed gives the same interval on every machine.
/// </summary>
public static class Bootstrap
{
    public const int DefaultResamples = 2000;

    public static Interval Percentile(int n, Func<int[], double> statistic, int resamples = DefaultResamples, int seed = 0, double level = 0.95)
    {
        var all = Enumerable.Range(0, n).ToArray();
        double estimate = statistic(all);
        if (n < 2 || resamples < 1) return new Interval(estimate, double.NaN, double.NaN);
        var rng = new MersenneTwister(seed);
        var reps = new List<double>(resamples);
        var idx = new int[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i++) idx[i] = rng.Next(n);
            double v = statistic(idx);
            if (double.IsFinite(v)) reps.Add(v);
        }
        if (reps.Count == 0) return new Interval(estimate, double.NaN, double.NaN);
        reps.Sort();
        return new Interval(estimate, Quantiles.Type7(reps, (1 - level) / 2), Quantiles.Type7(reps, (1 + level) / 2));
    }

    /// <summary>Mean with a percentile bootstrap interval.</summary>
    public static Interval Mean(IReadOnlyList<double> values, int resamples = DefaultResamples, int seed = 0, double level = 0.95) =>
        Percentile(values.Count, idx => idx.Length == 0 ? double.NaN : idx.Average(i => values[i]), resamples, seed, level);

    /// <summary>Spearman correlation with a percentile bootstrap interval over resampled pairs.</summary>
    public static Interval Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y, int resamples = DefaultResamples, int seed = 0, double level = 0.95) =>
        Percentile(x.Count, idx => RankCorrelation.Spearman(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray()), resamples, seed, level);
}
