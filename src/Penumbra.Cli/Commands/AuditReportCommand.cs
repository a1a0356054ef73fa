using System.CommandLine;
using Penumbra.Reports;

namespace Penumbra.Cli.Commands;

/// <summary>`penumbra audit report`: statistics, plots and image grids of an audit database as HTML and/or Markdown.</summary>
public static class AuditReportCommand
{
    public static Command Create()
    {
        var db = new Argument<string>("db") { Description = "The audit database (a run or a merge)" };
        var html = new Option<string?>("--html") { Description = "Write the self-contained HTML report here" };
        var markdown = new Option<string?>("--markdown") { Description = "Write the Markdown report here (plots go to <name>_files/)" };
        var score = new Option<string?>("--score") { Description = "Primary uncertainty score (default: eu)" };
        var quality = new Option<string?>("--quality") { Description = "Quality metric (default: clip_score, else quality, else the first image metric)" };
        var baselines = new Option<string?>("--baselines") { Description = "Comma-separated baseline scores (default: every other score)" };
        var groups = new Option<string?>("--group-columns") { Description = "Comma-separated group columns (default: all)" };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples", DefaultValueFactory = _ => Bootstrap.DefaultResamples };
        var permutations = new Option<int>("--permutations") { Description = "Random relabelings of permutation tests (when exact enumeration is too large)", DefaultValueFactory = _ => PermutationTest.DefaultPermutations };
        var seed = new Option<int>("--seed") { Description = "Seed of bootstrap and permutations", DefaultValueFactory = _ => 0 };
        var grid = new Option<int>("--grid") { Description = "Prompts in each of the most/least uncertain grids", DefaultValueFactory = _ => 4 };
        var title = new Option<string>("--title") { Description = "Report title", DefaultValueFactory = _ => "Penumbra audit report" };
        var cmd = new Command("report", "Write the audit report (tables, plots, image grids) as HTML and/or Markdown")
        {
            db, html, markdown, score, quality, baselines, groups, resamples, permutations, seed, grid, title,
        };
        cmd.SetAction(pr =>
        {
            string? h = pr.GetValue(html), m = pr.GetValue(markdown);
            if (h == null && m == null) throw new ArgumentException("give --html FILE and/or --markdown FILE");
            var data = AuditDataset.Load(pr.GetRequiredValue(db));
            var report = AuditAnalysis.Analyze(data, new AuditReportOptions
            {
                Score = pr.GetValue(score), Quality = pr.GetValue(quality), Baselines = List(pr.GetValue(baselines)),
                GroupColumns = List(pr.GetValue(groups)), Resamples = pr.GetValue(resamples), Permutations = pr.GetValue(permutations),
                Seed = pr.GetValue(seed), GridPrompts = pr.GetValue(grid), Title = pr.GetValue(title)!,
            });
            if (h != null) { HtmlReport.Write(report, h); Console.WriteLine($"{h}: HTML report ({data.Prompts.Count} prompts)"); }
            if (m != null) { MarkdownReport.Write(report, m); Console.WriteLine($"{m}: Markdown report"); }
            return 0;
        });
        return cmd;
    }

    private static IReadOnlyList<string>? List(string? s) =>
        s?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
