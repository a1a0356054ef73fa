using System.CommandLine;
using System.Globalization;
using Penumbra.Audit;
using Penumbra.Audit.Scoring;
using Penumbra.Reports;

namespace Penumbra.Cli.Commands;

/// <summary>
/// `penumbra audit toy --out runs/toy`: the toy-world audit end to end on the bundled model. Writes the prompt set
/// (<see cref="ToyAuditPrompts"/>) to OUT/prompts.csv, runs the emoe scorer with images judged by the toy checker into
/// OUT/audit.db (resumable with --resume; baselines router entropy, token length, seed variance over 4 latents and the
/// embedding distance to OUT/reference.txt), writes OUT/report.html and OUT/report.md, and prints the headline numbers.
/// </summary>
public static class AuditToyCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder (prompts.csv, audit.db, report.html, report.md)", Required = true };
        var model = new Option<string?>("--model") { Description = "SegMoE toy-world model (default: the bundled toy-segmoe)" };
        var perSet = new Option<int>("--per-set") { Description = "Prompts per block (in, finnish, ood, colourless)", DefaultValueFactory = _ => 8 };
        var images = new Option<int>("--images") { Description = "Images per prompt and seed", DefaultValueFactory = _ => 3 };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds", DefaultValueFactory = _ => "0" };
        var batch = new Option<int>("--batch-size") { Description = "Work units per batch", DefaultValueFactory = _ => 8 };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in the same folder" };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples of the report", DefaultValueFactory = _ => Bootstrap.DefaultResamples };
        var cmd = new Command("toy", "The toy-world audit end to end: prompt set, EMoE + images + toy checker, report")
        {
            output, model, perSet, images, seeds, batch, resume, resamples,
        };
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr.GetRequiredValue(output), pr.GetValue(model), pr.GetValue(perSet), pr.GetValue(images),
            pr.GetValue(seeds)!, pr.GetValue(batch), pr.GetValue(resume), pr.GetValue(resamples), ct)));
        return cmd;
    }

    private static int Run(string output, string? model, int perSet, int images, string seeds, int batch, bool resume, int resamples, CancellationToken ct)
    {
        if (images < 2) throw new ArgumentException($"--images {images}: the toy audit needs at least 2 (attribute shares and SSIM diversity)");
        Directory.CreateDirectory(output);
        string prompts = Path.Combine(output, "prompts.csv"), db = Path.Combine(output, "audit.db");
        if (!resume && File.Exists(db)) throw new InvalidOperationException($"{db} exists: pass --resume to continue it, or choose a new --out folder");
        var csv = ToyAuditPrompts.ToCsv(ToyAuditPrompts.Build(perSet));
        if (!File.Exists(prompts) || File.ReadAllText(prompts) != csv) File.WriteAllText(prompts, csv);

        // The embedding-distance baseline's reference: English captions of concepts every expert saw, drawn with another seed.
        string reference = Path.Combine(output, "reference.txt");
        File.WriteAllLines(reference, ToyAuditPrompts.Build(Math.Max(perSet, 32), seed: 1).Where(r => r.Set == "in").Select(r => r.Prompt));
        var source = PromptSource.FromFile(prompts, new PromptSetOptions());
        var options = new AuditRunOptions
        {
            DatabasePath = db, PromptSettings = source.Settings, Images = images, BatchSize = batch, Resume = resume,
            Seeds = seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new ArgumentException($"--seeds '{seeds}': '{s}' is not an integer")).ToList(),
        };
        int code = AuditRunCommand.Run(source, options, EmoeScorer.Name,
            new AuditScorerOptions(model, "cpu", new Dictionary<string, string> { ["seed_samples"] = "4", ["reference"] = reference }) { Images = images }, ct);
        if (code != 0) return code;

        var data = AuditDataset.Load(db);
        var report = AuditAnalysis.Analyze(data, new AuditReportOptions { Resamples = resamples, Title = "Penumbra toy-world audit" });
        string html = Path.Combine(output, "report.html"), md = Path.Combine(output, "report.md");
        HtmlReport.Write(report, html);
        MarkdownReport.Write(report, md);
        foreach (var line in Headline(report)) Console.WriteLine(line);
        Console.WriteLine($"{html}, {md}: reports ({data.Prompts.Count} prompts)");
        return 0;
    }

    /// <summary>The toy-world issue's numbers, from the report.</summary>
    internal static IEnumerable<string> Headline(AuditReport r)
    {
        foreach (var c in r.Correlations)
            yield return $"{c.Score}: AUROC in vs out {ReportFormat.Num(c.Auroc)} (n={c.Labelled}), Spearman vs {r.Quality} {ReportFormat.Ci(c.VersusQuality)}, words held fixed {ReportFormat.Ci(c.VersusQualityGivenWords)}";
        var set = r.Groups.Where(g => g.Column == "set").ToList();
        foreach (var value in new[] { r.Score, r.Quality }.OfType<string>())
            if (set.FirstOrDefault(g => g.Value == value) is { } g)
                yield return $"mean {value} by set: " + string.Join(", ", g.Groups.Select(x => $"{x.Group} {ReportFormat.Num(x.Mean.Estimate, 4)}")) + $" (permutation p {ReportFormat.PValue(g.Test)})";
        var colour = r.Attributes.FirstOrDefault(a => a.Attribute == "color");
        int red = colour?.Classes.ToList().IndexOf("red") ?? -1;
        if (colour != null && red >= 0)
            foreach (var row in colour.Rows.Where(x => x.Column == "colour"))
                yield return $"colour {row.Group}: {ReportFormat.Percent(row.Proportions[red])} red of {row.Images} images, fairness {ReportFormat.Num(row.FairnessScore)}";
    }
}
