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

    /// <summary>Spearman correlation of x and y with z held fixed (spec emoe.md §5.4, "regress out prompt length"): the
    /// partial correlation of the average ranks, (r_xy − r_xz·r_yz) / √((1 − r_xz²)(1 − r_yz²)), which equals the Pearson
    /// correlation of the residuals of rank(x) and rank(y) after a least-squares line on rank(z). A constant z holds
    /// nothing fixed (the plain Spearman); NaN when x or y is constant or z determines one of them.</summary>
    public static double PartialSpearman(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double> z)
    {
        if (x.Count != y.Count || x.Count != z.Count)
            throw new ArgumentException($"partial Spearman: {x.Count} x, {y.Count} y and {z.Count} z values");
        if (x.Count < 3) return double.NaN;
        double[] rx = Ranks.Average(x), ry = Ranks.Average(y), rz = Ranks.Average(z);
        return Partial(Pearson(rx, ry), Pearson(rx, rz), Pearson(ry, rz), rz.All(r => r == rz[0]));
    }

    /// <summary>The partial correlation of x and y given z from the three pairwise correlations.</summary>
    public static double Partial(double rxy, double rxz, double ryz, bool zConstant)
    {
        if (zConstant) return rxy;
        double denominator = (1 - rxz * rxz) * (1 - ryz * ryz);
        // Below 1e-12, z determines x or y up to rounding and the ratio is noise.
        return !(denominator > 1e-12) ? double.NaN : (rxy - rxz * ryz) / Math.Sqrt(denominator);
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
