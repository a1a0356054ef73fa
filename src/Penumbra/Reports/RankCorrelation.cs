namespace Penumbra.Reports;

/// <summary>Spearman's rank correlation: the Pearson correlation of the average ranks (<see cref="Ranks.Average"/>),
/// which handles ties. NaN when either side is constant or fewer than 2 pairs are given.</summary>
public static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Spearman: {x.Count} x values but {y.Count} y values");
        if (x.Count < 2) return double.NaN;
        return Pearson(Ranks.Average(x), Ranks.Average(y));
    }

    /// <summary>Pearson correlation; NaN when either side is constant.</summary>
    public static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
