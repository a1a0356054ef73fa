using MathNet.Numerics.Statistics;

namespace Penumbra.Reports;

/// <summary>Spearman's rank correlation: the Pearson correlation of the average ranks (<see cref="Ranks.Average"/>),
/// which handles ties. NaN when either side is constant or fewer than 2 pairs are given.</summary>
public static class RankCorrelation
{
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Spearman: {x.Count} x values but {y.Count} y values");
        if (x.Count < 2) return double.NaN;
        var rx = Ranks.Average(x);
        var ry = Ranks.Average(y);
        if (rx.Distinct().Count() < 2 || ry.Distinct().Count() < 2) return double.NaN;
        return Correlation.Pearson(rx, ry);
    }
}
