using MathNet.Numerics.Random;

namespace Penumbra.Reports;

/// <summary>
/// Seeded percentile bootstrap: for resample b = 0..B-1 draw n indices with replacement from a Mersenne Twister
/// seeded with (seed, b) (so resamples can run in parallel and still give the same numbers), evaluate the statistic; the interval is the type-7 quantiles at (1 - level)/2 and
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
        var replicates = new double[resamples];
        Parallel.For(0, resamples, () => new int[n], (b, _, idx) =>
        {
            var rng = new MersenneTwister(ResampleSeed(seed, b), threadSafe: false);
            for (int i = 0; i < n; i++) idx[i] = rng.Next(n);
            replicates[b] = statistic(idx);
            return idx;
        }, _ => { });
        var reps = replicates.Where(double.IsFinite).ToList();
        if (reps.Count == 0) return new Interval(estimate, double.NaN, double.NaN);
        reps.Sort();
        return new Interval(estimate, Quantiles.Type7(reps, (1 - level) / 2), Quantiles.Type7(reps, (1 + level) / 2));
    }

    /// <summary>The seed of resample b: a SplitMix64 step of (seed, b), folded to 31 bits.</summary>
    public static int ResampleSeed(int seed, int b)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)b) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>Mean with a percentile bootstrap interval.</summary>
    public static Interval Mean(IReadOnlyList<double> values, int resamples = DefaultResamples, int seed = 0, double level = 0.95) =>
        Percentile(values.Count, idx => idx.Length == 0 ? double.NaN : idx.Average(i => values[i]), resamples, seed, level);

    /// <summary>Spearman correlation with a percentile bootstrap interval over resampled pairs. A resample is ranked
    /// in O(n) from the sorted original: each drawn copy of item i gets the average rank of its tie group, computed
    /// from how many times each item was drawn (<see cref="WeightedSpearman"/>); equal to ranking the resample.</summary>
    public static Interval Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y, int resamples = DefaultResamples, int seed = 0, double level = 0.95)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Spearman: {x.Count} x values but {y.Count} y values");
        var gx = TieGroups(x);
        var gy = TieGroups(y);
        int n = x.Count;
        return Percentile(n, idx =>
        {
            if (idx.Length == n && IsIdentity(idx)) return RankCorrelation.Spearman(x, y);
            var counts = new int[n];
            foreach (var i in idx) counts[i]++;
            return WeightedSpearman(gx, gy, counts);
        }, resamples, seed, level);
    }

    /// <summary>Partial Spearman of x and y with z held fixed (<see cref="RankCorrelation.PartialSpearman"/>) with a
    /// percentile bootstrap interval over resampled triples, ranked in O(n) per resample as in <see cref="Spearman"/>.</summary>
    public static Interval PartialSpearman(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> z,
        int resamples = DefaultResamples, int seed = 0, double level = 0.95)
    {
        if (x.Count != y.Count || x.Count != z.Count)
            throw new ArgumentException($"partial Spearman: {x.Count} x, {y.Count} y and {z.Count} z values");
        var gx = TieGroups(x);
        var gy = TieGroups(y);
        var gz = TieGroups(z);
        int n = x.Count;
        return Percentile(n, idx =>
        {
            if (idx.Length == n && IsIdentity(idx)) return RankCorrelation.PartialSpearman(x, y, z);
            var counts = new int[n];
            foreach (var i in idx) counts[i]++;
            double[] rx = GroupRanks(gx, counts), ry = GroupRanks(gy, counts), rz = GroupRanks(gz, counts);
            bool zConstant = gz.Count(g => g.Any(i => counts[i] > 0)) == 1;
            return RankCorrelation.Partial(WeightedPearson(rx, ry, counts), WeightedPearson(rx, rz, counts), WeightedPearson(ry, rz, counts), zConstant);
        }, resamples, seed, level);
    }

    /// <summary>Items sorted by value and split into groups of equal value.</summary>
    public static int[][] TieGroups(IReadOnlyList<double> values)
    {
        var keys = values.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        var groups = new List<int[]>();
        for (int start = 0; start < keys.Length;)
        {
            int end = start;
            while (end + 1 < keys.Length && keys[end + 1] == keys[start]) end++;
            groups.Add(order[start..(end + 1)]);
            start = end + 1;
        }
        return groups.ToArray();
    }

    /// <summary>Spearman correlation of the sample holding item i counts[i] times: average ranks per tie group
    /// (before + (group size + 1) / 2), then the Pearson correlation weighted by the counts.</summary>
    public static double WeightedSpearman(int[][] groupsX, int[][] groupsY, int[] counts) =>
        WeightedPearson(GroupRanks(groupsX, counts), GroupRanks(groupsY, counts), counts);

    /// <summary>Pearson correlation of the sample holding item i counts[i] times; NaN when either side is constant.</summary>
    private static double WeightedPearson(double[] x, double[] y, int[] counts)
    {
        double total = 0, mx = 0, my = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            total += counts[i];
            mx += counts[i] * x[i];
            my += counts[i] * y[i];
        }
        mx /= total;
        my /= total;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += counts[i] * dx * dy;
            sxx += counts[i] * dx * dx;
            syy += counts[i] * dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] GroupRanks(int[][] groups, int[] counts)
    {
        var ranks = new double[counts.Length];
        double before = 0;
        foreach (var g in groups)
        {
            int size = 0;
            foreach (var i in g) size += counts[i];
            if (size == 0) continue;
            double rank = before + (size + 1) / 2.0;
            foreach (var i in g) ranks[i] = rank;
            before += size;
        }
        return ranks;
    }

    private static bool IsIdentity(int[] idx)
    {
        for (int i = 0; i < idx.Length; i++) if (idx[i] != i) return false;
        return true;
    }
}
