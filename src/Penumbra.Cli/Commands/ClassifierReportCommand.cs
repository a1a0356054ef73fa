using System.CommandLine;
using Penumbra.Editing;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>
/// <c>penumbra classifier report</c>: the full evidence run over seeds (ERM, the single-weight edit with and without
/// group labels, DFR-style last-layer retraining, group reweighting), written as report.md + degree-curve.png + results.json.
/// </summary>
public static class ClassifierReportCommand
{
    public static Command Create()
    {
        var data = new ClassifierData();
        var train = new ClassifierTrainOptions();
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated ERM seeds", DefaultValueFactory = _ => "0,1,2" };
        var strategy = new Option<string>("--strategy") { Description = "auto | H1 | H2", DefaultValueFactory = _ => "auto" };
        var output = new Option<string>("--out") { Description = "Folder for report.md, degree-curve.png, results.json", Required = true };
        var noReweighting = new Option<bool>("--no-reweighting") { Description = "Skip the group-reweighting baseline (it trains a second model per seed)" };
        var cmd = new Command("report", "Evidence run: ERM vs single-weight edit vs baselines over seeds, with the degree curve") { seeds, strategy, output, noReweighting };
        data.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr, data, train, pr.GetValue(seeds)!, pr.GetValue(strategy)!, pr.GetRequiredValue(output), pr.GetValue(noReweighting), ct)));
        return cmd;
    }

    private static int Run(ParseResult pr, ClassifierData data, ClassifierTrainOptions train, string seedText, string strategy, string output, bool noReweighting, CancellationToken ct)
    {
        var seeds = seedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out int v) ? v : throw new ArgumentException($"--seeds '{seedText}': '{s}' is not an integer")).ToArray();
        var splits = data.Open(pr);
        var options = new ExperimentOptions
        {
            Seeds = seeds,
            Train = train.Read(pr, 0, false),
            Edit = new EditOptions { Strategy = strategy },
            RunReweighting = !noReweighting,
        };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var log = new InlineProgress<string>(m => Console.Error.WriteLine($"[{sw.Elapsed.TotalSeconds,6:F0} s] {m}"));
        var results = SpuriousEditExperiment.Run(seed => train.Create(pr, splits.Train.NumClasses, seed), splits.Train, splits.Val, splits.Test, options, log, ct);
        var mix = SpuriousEditExperiment.GroupMix(splits.Train);
        var groups = Enumerable.Range(0, splits.Train.NumClasses * splits.Train.NumAttributes)
            .Select(g => ClassifierTables.GroupName(splits.Train.ClassNames, splits.Train.AttributeNames, g)).ToList();
        string command = "penumbra " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1));
        ClassifierReportWriter.Write(output, $"Single-weight edit on {splits.Description}", command, results, mix, groups);

        var table = new Table().AddColumns("method", "worst-group % [[95% CI]]", "average % [[95% CI]]");
        foreach (var s in ClassifierReportWriter.Summarise(results)) table.AddRow(Markup.Escape(s.Method), Markup.Escape(s.Worst.Percent()), Markup.Escape(s.Average.Percent()));
        AnsiConsole.Write(table);
        foreach (var r in results)
            AnsiConsole.MarkupLine(Markup.Escape($"seed {r.Seed}: {r.Plan.Edit.Strategy} {r.Plan.Edit.Location} {r.Plan.Edit.OldValue:G9} -> {r.Plan.Edit.ValueAt(r.Plan.Alpha):G9} " +
                $"at degree {r.Plan.Alpha:0.0}; state-dict elements changed: {r.Changes.Count}"));
        AnsiConsole.MarkupLine(Markup.Escape($"wrote {Path.Combine(output, ClassifierReportWriter.MarkdownName)} and {ClassifierReportWriter.PlotName} in {sw.Elapsed.TotalSeconds:F0} s"));
        return 0;
    }
}
