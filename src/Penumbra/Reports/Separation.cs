namespace Penumbra.Reports;

/// <summary>
/// How well a score separates positives (e.g. out-of-distribution prompts) from negatives, higher score = more
/// positive. AUROC = P(score of a random positive > score of a random negative) + 0.5 P(equal), computed from
/// average ranks: (R+ - n+(n+ + 1)/2) / (n+ n-). AUPR is the average precision: the sum over distinct thresholds t,
/// from high to low, of (recall(t) - recall(previous t)) x precision(t), where all items tied at t enter together.
/// </summary>
public static class Separation
{
    public static double Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        Check(scores, positive);
        int nPos = positive.Count(p => p), nNeg = positive.Count - nPos;
        if (nPos == 0 || nNeg == 0) return double.NaN;
        var ranks = Ranks.Average(scores);
        double sumPos = 0;
        for (int i = 0; i < ranks.Length; i++) if (positive[i]) sumPos += ranks[i];
        return (sumPos - nPos * (nPos + 1) / 2.0) / ((double)nPos * nNeg);
    }

    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        Check(scores, positive);
        int nPos = positive.Count(p => p);
        if (nPos == 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double ap = 0, previousRecall = 0;
        int tp = 0, seen = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            for (int k = start; k <= end; k++) if (positive[order[k]]) tp++;
            seen = end + 1;
            double recall = (double)tp / nPos, precision = (double)tp / seen;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            start = end + 1;
        }
        return ap;
    }

    private static void Check(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count) throw new ArgumentException($"{scores.Count} scores but {positive.Count} labels");
    }
}
