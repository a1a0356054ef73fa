using System.Globalization;
using System.Text;
using System.Text.Json;
using Penumbra.Editing;

namespace Penumbra.Cli.Commands;

/// <summary>
/// Writes the evidence of a <see cref="SpuriousEditExperiment"/> run to a folder: <c>report.md</c> (method summary with
/// 95% t-intervals over seeds, per-seed rows with the strategy name, the one changed weight, the degree table),
/// <c>degree-curve.png</c> (ScottPlot: test worst-group and average accuracy against α, mean over seeds) and
/// <c>results.json</c>.
/// </summary>
public static class ClassifierReportWriter
{
    public const string MarkdownName = "report.md";
    public const string PlotName = "degree-curve.png";
    public const string JsonName = "results.json";

    public sealed record Summary(string Method, Interval Worst, Interval Average);

    public static IReadOnlyList<Summary> Summarise(IReadOnlyList<SeedResult> results) =>
        results.SelectMany(r => r.Methods).GroupBy(m => SpuriousEditExperiment.Family(m.Method))
            .Select(g => new Summary(g.Key, Interval.Of(g.Select(m => m.Worst).ToList()), Interval.Of(g.Select(m => m.Average).ToList()))).ToList();

    /// <summary>Mean over seeds of the test curve of each seed's chosen edit: (α, worst-group, average).</summary>
    public static IReadOnlyList<(double Alpha, double Worst, double Average)> MeanCurve(IReadOnlyList<SeedResult> results, IReadOnlyList<double> mix) =>
        results[0].TestCurve.Select((p, i) => (p.Alpha,
            results.Average(r => r.TestCurve[i].Accuracy.Worst),
            results.Average(r => r.TestCurve[i].Accuracy.WeightedAverage(mix)))).ToList();

    public static void Write(string dir, string title, string command, IReadOnlyList<SeedResult> results, IReadOnlyList<double> mix,
        IReadOnlyList<string> groupNames)
    {
        Directory.CreateDirectory(dir);
        var summary = Summarise(results);
        var curve = MeanCurve(results, mix);
        WritePlot(Path.Combine(dir, PlotName), title, results, curve, mix);
        File.WriteAllText(Path.Combine(dir, MarkdownName), Markdown(title, command, results, summary, curve, mix, groupNames));
        File.WriteAllText(Path.Combine(dir, JsonName), JsonSerializer.Serialize(Json(results, summary, curve, groupNames), new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }

    private static void WritePlot(string path, string title, IReadOnlyList<SeedResult> results, IReadOnlyList<(double Alpha, double Worst, double Average)> curve, IReadOnlyList<double> mix)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = curve.Select(c => c.Alpha).ToArray();
        foreach (var r in results)
        {
            var seedLine = plot.Add.Scatter(xs, r.TestCurve.Select(p => 100 * p.Accuracy.Worst).ToArray());
            seedLine.Color = ScottPlot.Colors.Blue.WithAlpha(0.25);
            seedLine.MarkerSize = 0;
        }
        var worst = plot.Add.Scatter(xs, curve.Select(c => 100 * c.Worst).ToArray());
        worst.LegendText = "worst-group accuracy (mean; thin: seeds)";
        worst.Color = ScottPlot.Colors.Blue;
        worst.LineWidth = 2;
        var average = plot.Add.Scatter(xs, curve.Select(c => 100 * c.Average).ToArray());
        average.LegendText = "average accuracy (mean)";
        average.Color = ScottPlot.Colors.OrangeRed;
        average.LineWidth = 2;
        plot.Title(title);
        plot.XLabel("degree α of the single-weight edit");
        plot.YLabel("test accuracy (%)");
        plot.Axes.SetLimitsX(-0.02, 1.02);
        plot.ShowLegend(ScottPlot.Alignment.LowerLeft);
        plot.SavePng(path, 900, 560);
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : (100 * v).ToString("F1", CultureInfo.InvariantCulture);

    private static string Markdown(string title, string command, IReadOnlyList<SeedResult> results, IReadOnlyList<Summary> summary,
        IReadOnlyList<(double Alpha, double Worst, double Average)> curve, IReadOnlyList<double> mix, IReadOnlyList<string> groupNames)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# {title}").AppendLine().AppendLine("```").AppendLine(command).AppendLine("```").AppendLine();
        sb.AppendLine($"Test accuracy (%), mean and 95% t-interval over {results.Count} seed(s) ({string.Join(", ", results.Select(r => r.Seed))}); ");
        sb.AppendLine("average = accuracy weighted by the training group mix. Strategy and degree chosen on validation worst-group accuracy.").AppendLine();
        sb.AppendLine("| method | worst-group | average |").AppendLine("|---|---|---|");
        foreach (var s in summary) sb.AppendLine($"| {s.Method} | {s.Worst.Percent()} | {s.Average.Percent()} |");
        sb.AppendLine().AppendLine("## Per seed").AppendLine();
        sb.AppendLine("| seed | method | worst-group | average | " + string.Join(" | ", groupNames) + " |");
        sb.AppendLine("|---|---|---|---|" + string.Concat(groupNames.Select(_ => "---|")));
        foreach (var r in results)
            foreach (var m in r.Methods)
                sb.AppendLine($"| {r.Seed} | {m.Method} | {F(m.Worst)} | {F(m.Average)} | " + string.Join(" | ", Enumerable.Range(0, m.Test.Groups).Select(g => F(m.Test.Of(g)))) + " |");
        sb.AppendLine().AppendLine("## The edit (one weight) per seed").AppendLine();
        sb.AppendLine("| seed | strategy | sub-class | weight | old | new | degree | state-dict elements changed |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var e = r.Plan.Edit;
            sb.AppendLine($"| {r.Seed} | {e.Strategy} | {groupNames[e.Subclass.ClassIndex * (groupNames.Count / Math.Max(1, r.Methods[0].Test.NumClasses)) + e.Subclass.Attribute]} | {e.Location} | " +
                $"{e.OldValue.ToString("G9", CultureInfo.InvariantCulture)} | {e.ValueAt(r.Plan.Alpha).ToString("G9", CultureInfo.InvariantCulture)} | {r.Plan.Alpha:0.0} | {r.Changes.Count} |");
        }
        sb.AppendLine().AppendLine($"## Degree curve (test, chosen edit of each seed, mean over seeds)").AppendLine();
        sb.AppendLine($"![degree curve]({PlotName})").AppendLine();
        sb.AppendLine("| α | worst-group | average | " + string.Join(" | ", results.Select(r => $"seed {r.Seed} ({r.Plan.Edit.Strategy}) worst / avg")) + " |");
        sb.AppendLine("|---|---|---|" + string.Concat(results.Select(_ => "---|")));
        for (int i = 0; i < curve.Count; i++)
            sb.AppendLine($"| {curve[i].Alpha:0.0} | {F(curve[i].Worst)} | {F(curve[i].Average)} | " +
                string.Join(" | ", results.Select(r => $"{F(r.TestCurve[i].Accuracy.Worst)} / {F(r.TestCurve[i].Accuracy.WeightedAverage(mix))}")) + " |");
        sb.AppendLine().AppendLine("## Validation candidates (best degree of each strategy x sub-class)").AppendLine();
        sb.AppendLine("| seed | strategy | weight | sub-class (y, a) | best degree | val worst-group | val average |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in results)
            foreach (var c in r.Plan.Candidates)
                sb.AppendLine($"| {r.Seed} | {c.Edit.Strategy} | {c.Edit.Location} | ({c.Edit.Subclass.ClassIndex}, {c.Edit.Subclass.Attribute}) | {c.BestAlpha:0.0} | {F(c.Best.Worst)} | {F(c.Best.Average)} |");
        return sb.ToString();
    }

    private static object Json(IReadOnlyList<SeedResult> results, IReadOnlyList<Summary> summary, IReadOnlyList<(double Alpha, double Worst, double Average)> curve, IReadOnlyList<string> groupNames) => new
    {
        summary = summary.Select(s => new { method = s.Method, worst_group = s.Worst, average = s.Average }),
        degree_curve = curve.Select(c => new { degree = c.Alpha, worst_group = c.Worst, average = c.Average }),
        groups = groupNames,
        seeds = results.Select(r => new
        {
            seed = r.Seed,
            train_losses = r.TrainLosses,
            edit = ClassifierJson.Edit(r.Plan.Edit, r.Plan.Alpha),
            changes = r.Changes.Select(c => new { key = c.Key, index = c.Index, old_value = c.Old, new_value = c.New }),
            methods = r.Methods.Select(m => new { method = m.Method, worst_group = m.Worst, average = m.Average, groups = Enumerable.Range(0, m.Test.Groups).Select(m.Test.Of).Select(v => double.IsNaN(v) ? (double?)null : v) }),
            test_curve = r.TestCurve.Select(p => new { degree = p.Alpha, worst_group = p.Accuracy.Worst, average = p.Accuracy.Average }),
        }),
    };
}
