namespace Penumbra.Reports;

/// <summary>Per-group means of one value (with seeded bootstrap intervals) and a permutation test across the groups.</summary>
public sealed record GroupComparison(string Column, string Value, IReadOnlyList<GroupSummary> Groups, PermutationTest.Result Test)
{
    public static GroupComparison Compute(string column, string value, IReadOnlyList<double> values, IReadOnlyList<string> groups,
        int resamples = Bootstrap.DefaultResamples, int permutations = PermutationTest.DefaultPermutations, int seed = 0)
    {
        var summaries = groups.Select((g, i) => (g, i)).GroupBy(p => p.g).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var v = g.Select(p => values[p.i]).ToArray();
                return new GroupSummary(g.Key, v.Length, Bootstrap.Mean(v, resamples, seed));
            }).ToList();
        return new GroupComparison(column, value, summaries, PermutationTest.Test(values, groups, permutations, seed));
    }
}
