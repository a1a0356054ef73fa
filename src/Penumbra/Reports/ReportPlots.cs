using MathNet.Numerics;
using ScottPlot;

namespace Penumbra.Reports;

/// <summary>The report's plots as PNG bytes (ScottPlot): score histogram per group, score vs quality with a least-squares
/// trend line, mean quality per score quartile for the primary score and each baseline, and the halting curves.</summary>
public static class ReportPlots
{
    public const int Width = 760, Height = 420;

    /// <summary>Histograms overlay at most this many groups; a column with more gets one histogram of all prompts.</summary>
    public const int MaxOverlaidGroups = 8;

    /// <summary>Histogram of a score per group (share of the group's prompts per bin, drawn as step lines so groups overlap readably).</summary>
    public static byte[] HistogramByGroup(IReadOnlyList<PromptSummary> prompts, string score, string? groupColumn, int bins = 20)
    {
        int groupCount = groupColumn == null ? 0 : prompts.Where(p => p.Groups.ContainsKey(groupColumn)).Select(p => p.Groups[groupColumn]).Distinct().Count();
        if (groupCount > MaxOverlaidGroups) groupColumn = null;
        var plot = NewPlot(groupColumn == null ? $"{score}, all prompts{(groupCount > MaxOverlaidGroups ? $" ({groupCount} groups: too many to overlay)" : "")}" : $"{score} by {groupColumn}", score, "share of prompts");
        var values = prompts.Select(p => p.Value(score)).Where(double.IsFinite).ToArray();
        if (values.Length > 0)
        {
            double min = values.Min(), max = values.Max();
            if (max <= min) max = min + 1;
            double width = (max - min) / bins;
            var groups = groupColumn == null
                ? new[] { ("all", prompts.ToList()) }
                : prompts.Where(p => p.Groups.ContainsKey(groupColumn)).GroupBy(p => p.Groups[groupColumn])
                    .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.ToList())).ToArray();
            var palette = new ScottPlot.Palettes.Category10();
            int c = 0;
            foreach (var (name, members) in groups)
            {
                var v = members.Select(p => p.Value(score)).Where(double.IsFinite).ToArray();
                if (v.Length == 0) continue;
                var counts = new double[bins];
                foreach (var x in v) counts[Math.Clamp((int)((x - min) / width), 0, bins - 1)] += 1.0 / v.Length;
                var xs = new List<double>();
                var ys = new List<double>();
                for (int b = 0; b < bins; b++)
                {
                    xs.Add(min + b * width); ys.Add(counts[b]);
                    xs.Add(min + (b + 1) * width); ys.Add(counts[b]);
                }
                var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
                line.Color = palette.GetColor(c++);
                line.LineWidth = 2;
                line.LegendText = $"{name} (n={v.Length})";
            }
            if (groups.Length > 1) plot.ShowLegend(Edge.Right);
        }
        return Png(plot);
    }

    /// <summary>Score against quality per prompt, with the least-squares line.</summary>
    public static byte[] ScoreVersusQuality(IReadOnlyList<PromptSummary> prompts, string score, string quality)
    {
        var plot = NewPlot($"{score} vs {quality}", score, quality);
        var pairs = prompts.Select(p => (X: p.Value(score), Y: p.Value(quality))).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        if (pairs.Length > 0)
        {
            var points = plot.Add.ScatterPoints(pairs.Select(p => p.X).ToArray(), pairs.Select(p => p.Y).ToArray());
            points.MarkerSize = pairs.Length > 2000 ? 2 : 5;
            points.Color = new ScottPlot.Palettes.Category10().GetColor(0).WithAlpha(0.6);
            points.LegendText = $"prompts (n={pairs.Length})";
            if (pairs.Length >= 2 && pairs.Select(p => p.X).Distinct().Count() > 1)
            {
                var (a, b) = Fit.Line(pairs.Select(p => p.X).ToArray(), pairs.Select(p => p.Y).ToArray());
                double x0 = pairs.Min(p => p.X), x1 = pairs.Max(p => p.X);
                var trend = plot.Add.Line(x0, a + b * x0, x1, a + b * x1);
                trend.Color = new ScottPlot.Palettes.Category10().GetColor(3);
                trend.LineWidth = 2.5f;
                trend.LegendText = $"trend: {quality} = {a:G3} {(b < 0 ? "−" : "+")} {Math.Abs(b):G3} × {score}";
            }
            plot.ShowLegend(Alignment.UpperRight);
        }
        return Png(plot);
    }

    /// <summary>Mean of a column (quality, or words) per quartile of each score, as grouped bars.</summary>
    public static byte[] QuartileBars(IReadOnlyList<QuartileTable> tables, string column)
    {
        var plot = NewPlot($"mean {column} per score quartile", "quartile (1 = lowest score)", column);
        var palette = new ScottPlot.Palettes.Category10();
        int n = Math.Max(1, tables.Count);
        double barWidth = 0.8 / n;
        for (int t = 0; t < tables.Count; t++)
        {
            var rows = tables[t].Rows.Where(r => r.Means.ContainsKey(column) && double.IsFinite(r.Means[column])).ToList();
            if (rows.Count == 0) continue;
            var bars = rows.Select(r => new Bar
            {
                Position = r.Quartile - 0.4 + barWidth * (t + 0.5),
                Value = r.Means[column],
                Size = barWidth * 0.95,
                FillColor = palette.GetColor(t),
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = tables[t].Score;
        }
        plot.Axes.Bottom.SetTicks(new double[] { 1, 2, 3, 4 }, new[] { "Q1", "Q2", "Q3", "Q4" });
        plot.Axes.Margins(bottom: 0);
        if (tables.Count > 1) plot.ShowLegend(Edge.Right);
        return Png(plot);
    }

    /// <summary>Mean quality of the generated prompts against the share generated, one line per score (<see cref="HaltingTable"/>).</summary>
    public static byte[] HaltingCurves(IReadOnlyList<HaltingTable> tables, string quality)
    {
        var plot = NewPlot($"mean {quality} of the prompts generated, halting on each score", "share of prompts generated (lowest scores first)", quality);
        var palette = new ScottPlot.Palettes.Category10();
        for (int t = 0; t < tables.Count; t++)
        {
            var rows = tables[t].Rows.Where(r => double.IsFinite(r.MeanQualityKept)).OrderBy(r => r.KeepFraction).ToList();
            if (rows.Count == 0) continue;
            var line = plot.Add.Scatter(rows.Select(r => r.KeepFraction).ToArray(), rows.Select(r => r.MeanQualityKept).ToArray());
            line.Color = palette.GetColor(t);
            line.LineWidth = 2;
            line.LegendText = tables[t].Score;
        }
        if (tables.Count > 1) plot.ShowLegend(Edge.Right);
        return Png(plot);
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);
}
