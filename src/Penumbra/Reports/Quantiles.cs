namespace Penumbra.Reports;

/// <summary>Sample quantiles by linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default):
/// h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) on the sorted sample.</summary>
public static class Quantiles
{
    public static double Type7(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "quantile level must be in [0, 1]");
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
