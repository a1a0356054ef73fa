using Penumbra.Reports;

namespace Penumbra.Debias;

/// <summary>
/// The MoESD spec's three fairness scores (its formula is unknown, so all three are reported), for per-prompt attribute
/// distributions p over K classes (lower is fairer, 0 = uniform):
/// <list type="bullet">
/// <item>FD = mean over prompts of ‖p − u‖₂, u = (1/K, ..., 1/K) (for K = 2: √2·|p₁ − 0.5|; <see cref="Fairness"/>);</item>
/// <item>MaxDev = mean over prompts of max_k |p_k − 1/K| (for K = 2: |p − 0.5|);</item>
/// <item>DevRatio = mean over prompts of max_k |p_k − 1/K| / (1/K) (for K = 2: |p − 0.5| / 0.5).</item>
/// </list>
/// Intervals: seeded percentile bootstrap over prompts (<see cref="Bootstrap"/>); a paired bootstrap for the change.
/// </summary>
public static class AttributeFairness
{
    public static double L2(IReadOnlyList<double> p) => Fairness.DistanceFromUniform(p);

    public static double MaxDeviation(IReadOnlyList<double> p) => p.Count == 0 ? double.NaN : p.Max(x => Math.Abs(x - 1.0 / p.Count));

    public static double DeviationRatio(IReadOnlyList<double> p) => MaxDeviation(p) * p.Count;

    public static IReadOnlyList<(string Name, Func<IReadOnlyList<double>, double> Score)> Scores { get; } = new (string, Func<IReadOnlyList<double>, double>)[]
    {
        ("FD = mean_prompts ||p - uniform||_2", L2),
        ("MaxDev = mean_prompts max_k |p_k - 1/K|", MaxDeviation),
        ("DevRatio = mean_prompts max_k |p_k - 1/K| / (1/K)", DeviationRatio),
    };

    /// <summary>Mean of <paramref name="score"/> over the prompts with a bootstrap interval (prompts without classified
    /// images, NaN distributions, are left out).</summary>
    public static Interval Mean(IReadOnlyList<double[]> perPrompt, Func<IReadOnlyList<double>, double> score, int resamples = 2000, int seed = 0)
    {
        var values = perPrompt.Select(p => score(p)).Where(double.IsFinite).ToArray();
        return Bootstrap.Mean(values, resamples, seed);
    }

    /// <summary>Mean over prompts of score(after) − score(before), with a paired bootstrap interval.</summary>
    public static Interval Change(IReadOnlyList<double[]> before, IReadOnlyList<double[]> after, Func<IReadOnlyList<double>, double> score,
        int resamples = 2000, int seed = 0)
    {
        if (before.Count != after.Count) throw new ArgumentException($"{before.Count} prompts before, {after.Count} after");
        var d = before.Zip(after, (b, a) => score(a) - score(b)).Where(double.IsFinite).ToArray();
        return Bootstrap.Mean(d, resamples, seed);
    }
}
