namespace Penumbra.Reports;

/// <summary>
/// Splits items into four equal-count quartiles of a score: sort by score (ties keep input order, a stable sort),
/// the item at sorted position i (0-based) of n goes to quartile floor(4 i / n) + 1, so quartile sizes differ by at
/// most one. Each row has the means of the given columns (e.g. quality, words, characters); NaN values are left out
/// of a mean.
/// </summary>
public sealed record QuartileTable(string Score, IReadOnlyList<QuartileRow> Rows)
{
    public static int[] Assign(IReadOnlyList<double> scores)
    {
        int n = scores.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var quartile = new int[n];
        for (int pos = 0; pos < n; pos++) quartile[order[pos]] = 4 * pos / n + 1;
        return quartile;
    }

    public static QuartileTable Compute(string score, IReadOnlyList<double> scores, IReadOnlyDictionary<string, IReadOnlyList<double>> columns)
    {
        var q = Assign(scores);
        var rows = new List<QuartileRow>();
        for (int k = 1; k <= 4; k++)
        {
            var members = Enumerable.Range(0, scores.Count).Where(i => q[i] == k).ToArray();
            if (members.Length == 0) continue;
            var means = columns.ToDictionary(c => c.Key, c =>
            {
                var v = members.Select(i => c.Value[i]).Where(x => !double.IsNaN(x)).ToArray();
                return v.Length == 0 ? double.NaN : v.Average();
            });
            rows.Add(new QuartileRow(k, members.Length, members.Min(i => scores[i]), members.Max(i => scores[i]), means));
        }
        return new QuartileTable(score, rows);
    }
}
