namespace Penumbra.Reports;

/// <summary>One keep fraction of a <see cref="HaltingTable"/>: how many prompts are generated, the score threshold that
/// keeps them, and the mean quality of the generated and of the halted prompts (NaN when a side is empty).</summary>
public sealed record HaltingRow(double KeepFraction, int Kept, double Threshold, double MeanQualityKept, double MeanQualityHalted);

/// <summary>
/// Halting on an uncertainty score, the compute-saving use EMoE proposes (methods/emoe.md §5.6): generate only the
/// prompts whose score is lowest and halt the rest. For each keep fraction f of n prompts the k = ⌈f·n⌉ lowest-scoring
/// prompts are kept (ties keep input order, a stable sort, as in <see cref="QuartileTable"/>); the images not generated are
/// the compute saved, and a useful score keeps the kept quality above the all-prompts mean (the f = 1 row).
/// </summary>
public sealed record HaltingTable(string Score, IReadOnlyList<HaltingRow> Rows)
{
    public static readonly IReadOnlyList<double> DefaultFractions = new[] { 1.0, 0.9, 0.75, 0.5, 0.25 };

    /// <summary>The table of <paramref name="score"/> over the prompts with a finite score and quality.</summary>
    public static HaltingTable Compute(string score, IReadOnlyList<double> scores, IReadOnlyList<double> quality, IReadOnlyList<double>? fractions = null)
    {
        if (scores.Count != quality.Count) throw new ArgumentException($"halting table of {score}: {scores.Count} scores but {quality.Count} quality values");
        var have = Enumerable.Range(0, scores.Count).Where(i => double.IsFinite(scores[i]) && double.IsFinite(quality[i])).ToArray();
        var order = have.OrderBy(i => scores[i]).ToArray();
        int n = order.Length;
        var rows = new List<HaltingRow>();
        if (n == 0) return new HaltingTable(score, rows);
        foreach (var f in fractions ?? DefaultFractions)
        {
            if (!(f > 0 && f <= 1)) throw new ArgumentException($"halting table: keep fraction {f} is not in (0, 1]");
            // The tolerance keeps f·n that is an integer in exact arithmetic (0.6 × 5) from rounding up past it.
            int k = Math.Max(1, (int)Math.Ceiling(f * n - 1e-9));
            rows.Add(new HaltingRow(f, k, scores[order[k - 1]], order.Take(k).Average(i => quality[i]),
                k == n ? double.NaN : order.Skip(k).Average(i => quality[i])));
        }
        return new HaltingTable(score, rows);
    }
}
