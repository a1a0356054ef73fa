using MathNet.Numerics.Random;

namespace Penumbra.Reports;

/// <summary>
/// Permutation test of "the group labels do not matter" for a numeric value. Statistic: the between-group sum of
/// squares T = sum_g n_g (mean_g - grand mean)^2 (for two groups a monotone function of |mean_1 - mean_2|, so the
/// test is two-sided). When the number of distinct relabelings n! / prod n_g! is at most <see cref="MaxExact"/>
/// all of them are enumerated and p = #{T' >= T} / count (exact); otherwise p = (1 + #{T' >= T}) / (1 + P) over P
/// seeded random relabelings.
/// </summary>
public static class PermutationTest
{
    public const int MaxExact = 20_000;
    public const int DefaultPermutations = 5000;

    public sealed record Result(double Statistic, double PValue, bool Exact, long Relabelings);

    public static double BetweenGroupSumOfSquares(IReadOnlyList<double> values, IReadOnlyList<int> groups, int groupCount)
    {
        var sum = new double[groupCount];
        var count = new int[groupCount];
        double total = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum[groups[i]] += values[i];
            count[groups[i]]++;
            total += values[i];
        }
        double grand = total / values.Count, t = 0;
        for (int g = 0; g < groupCount; g++)
            if (count[g] > 0) t += count[g] * Math.Pow(sum[g] / count[g] - grand, 2);
        return t;
    }

    public static Result Test(IReadOnlyList<double> values, IReadOnlyList<string> labels, int permutations = DefaultPermutations, int seed = 0)
    {
        if (values.Count != labels.Count) throw new ArgumentException($"{values.Count} values but {labels.Count} group labels");
        var names = labels.Distinct().Order(StringComparer.Ordinal).ToList();
        var groups = labels.Select(l => names.IndexOf(l)).ToArray();
        int k = names.Count;
        double observed = BetweenGroupSumOfSquares(values, groups, k);
        if (k < 2) return new Result(observed, double.NaN, true, 1);
        double tolerance = 1e-12 * Math.Max(1, Math.Abs(observed));
        var sizes = new int[k];
        foreach (var g in groups) sizes[g]++;
        double relabelings = Multinomial(sizes);
        var current = new int[values.Count];
        if (relabelings <= MaxExact)
        {
            long atLeast = 0, total = 0;
            var remaining = (int[])sizes.Clone();
            void Assign(int position)
            {
                if (position == current.Length)
                {
                    total++;
                    if (BetweenGroupSumOfSquares(values, current, k) >= observed - tolerance) atLeast++;
                    return;
                }
                for (int g = 0; g < k; g++)
                {
                    if (remaining[g] == 0) continue;
                    remaining[g]--;
                    current[position] = g;
                    Assign(position + 1);
                    remaining[g]++;
                }
            }
            Assign(0);
            return new Result(observed, (double)atLeast / total, true, total);
        }
        var rng = new MersenneTwister(seed);
        Array.Copy(groups, current, groups.Length);
        long hits = 0;
        for (int p = 0; p < permutations; p++)
        {
            for (int i = current.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (current[i], current[j]) = (current[j], current[i]);
            }
            if (BetweenGroupSumOfSquares(values, current, k) >= observed - tolerance) hits++;
        }
        return new Result(observed, (1.0 + hits) / (1.0 + permutations), false, permutations);
    }

    private static double Multinomial(int[] sizes)
    {
        double logCount = MathNet.Numerics.SpecialFunctions.FactorialLn(sizes.Sum()) - sizes.Sum(s => MathNet.Numerics.SpecialFunctions.FactorialLn(s));
        return Math.Round(Math.Exp(logCount));
    }
}
