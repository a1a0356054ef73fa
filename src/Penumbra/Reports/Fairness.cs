namespace Penumbra.Reports;

/// <summary>
/// Attribute balance. For a prompt with images classified into K classes c_1..c_K (e.g. man, woman), the observed
/// distribution is p_k = (images of class k) / (classified images). Its discrepancy is the L2 distance from uniform,
/// d = sqrt(sum_k (p_k - 1/K)^2): 0 when balanced, sqrt(1 - 1/K) when every image has one class. The fairness
/// score of a set of prompts is the mean of d over its prompts (lower is fairer).
/// </summary>
public static class Fairness
{
    public static double[] Distribution(IReadOnlyDictionary<string, int> counts, IReadOnlyList<string> classes)
    {
        double total = classes.Sum(c => counts.GetValueOrDefault(c));
        return classes.Select(c => total == 0 ? double.NaN : counts.GetValueOrDefault(c) / total).ToArray();
    }

    public static double DistanceFromUniform(IReadOnlyList<double> p)
    {
        if (p.Count == 0 || p.Any(double.IsNaN)) return double.NaN;
        double u = 1.0 / p.Count;
        return Math.Sqrt(p.Sum(x => (x - u) * (x - u)));
    }

    /// <summary>Mean over prompts of the distance from uniform; prompts without classified images are left out.</summary>
    public static double Score(IEnumerable<IReadOnlyDictionary<string, int>> perPromptCounts, IReadOnlyList<string> classes)
    {
        var d = perPromptCounts.Select(c => DistanceFromUniform(Distribution(c, classes))).Where(x => !double.IsNaN(x)).ToArray();
        return d.Length == 0 ? double.NaN : d.Average();
    }

    public static double MaxDistance(int classCount) => Math.Sqrt(1 - 1.0 / classCount);
}
