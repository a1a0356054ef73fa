using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Penumbra.Audit;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>`penumbra audit run`: score a prompt set (file or template) into a SQLite database, resumable and shardable.</summary>
public static class AuditRunCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The SQLite database to write (created; continued with --resume)", Required = true };
        var prompts = new Option<string?>("--prompts") { Description = "Prompt set: .csv/.tsv (header with a 'prompt' column), .jsonl, or plain text (one prompt per line)" };
        var template = new Option<string?>("--template") { Description = "Prompt template, e.g. \"a photo of a {gender} {occupation}\" (built-in lists: occupation, occupation-train, occupation-test, gender, ethnicity)" };
        var lists = new Option<string[]>("--list") { Description = "A list for a template slot: NAME=FILE (one value per line); repeatable", AllowMultipleArgumentsPerToken = false };
        var format = new Option<PromptSetFormat>("--format") { Description = "Prompt-set format (default: by extension)", DefaultValueFactory = _ => PromptSetFormat.Auto };
        var textColumn = new Option<string>("--text-column") { Description = "Column/key holding the prompt", DefaultValueFactory = _ => "prompt" };
        var idColumn = new Option<string>("--id-column") { Description = "Column/key holding a stable prompt id (else the line number)", DefaultValueFactory = _ => "id" };
        var labelColumn = new Option<string>("--label-column") { Description = "Column/key holding in/out-of-distribution labels", DefaultValueFactory = _ => "label" };
        var groupColumns = new Option<string?>("--group-columns") { Description = "Comma-separated group columns (default: every other column)" };
        var onBadRow = new Option<BadRowPolicy>("--on-bad-row") { Description = "Malformed rows are reported with their line numbers, then skipped or rejected", DefaultValueFactory = _ => BadRowPolicy.Fail };
        var scorer = new Option<string>("--scorer") { Description = $"Scorer by name (available: {string.Join(", ", AuditScorers.Listed.DefaultIfEmpty("none yet"))})", Required = true };
        var model = new Option<string?>("--model") { Description = "Model folder for the scorer (default: the bundled toy-world model)" };
        var clip = new Option<string?>("--clip") { Description = "CLIP model folder (transformers CLIPModel) judging the images: CLIP score and zero-shot attributes (default for toy-world models: the toy checker)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var scorerOptions = new Option<string[]>("--scorer-option") { Description = "Scorer setting KEY=VALUE; repeatable" };
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds; every prompt runs once per seed", DefaultValueFactory = _ => "0" };
        var images = new Option<int>("--images") { Description = "Images per prompt and seed (0 = scores only)", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch-size") { Description = "Work units per batch (one transaction each)", DefaultValueFactory = _ => 16 };
        var shard = new Option<string>("--shard") { Description = "Run the deterministic slice k/N (0 <= k < N) of the prompts", DefaultValueFactory = _ => "0/1" };
        var resume = new Option<bool>("--resume") { Description = "Continue an existing database, skipping committed work" };
        var imageDir = new Option<string?>("--image-dir") { Description = "Folder for images (default: <db>.images)" };
        var journal = new Option<AuditJournal>("--journal") { Description = "SQLite journal: Wal (local disks) or Delete (databases on NFS/SMB)", DefaultValueFactory = _ => AuditJournal.Wal };
        var cmd = new Command("run", "Score a prompt set into a SQLite database (resumable with --resume, shardable with --shard k/N)")
        {
            db, prompts, template, lists, format, textColumn, idColumn, labelColumn, groupColumns, onBadRow,
            scorer, model, clip, device, scorerOptions, seeds, images, batch, shard, resume, imageDir, journal,
        };
        cmd.SetAction((pr, ct) =>
        {
            var readOptions = new PromptSetOptions
            {
                Format = pr.GetValue(format), TextColumn = pr.GetValue(textColumn)!, IdColumn = pr.GetValue(idColumn)!,
                LabelColumn = pr.GetValue(labelColumn)!, OnBadRow = pr.GetValue(onBadRow),
                GroupColumns = pr.GetValue(groupColumns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var source = Source(pr.GetValue(prompts), pr.GetValue(template), pr.GetValue(lists) ?? Array.Empty<string>(), readOptions);
            var options = new AuditRunOptions
            {
                DatabasePath = pr.GetRequiredValue(db), PromptSettings = source.Settings, Seeds = ParseSeeds(pr.GetValue(seeds)!),
                Images = pr.GetValue(images), BatchSize = pr.GetValue(batch), Shard = ShardSpec.Parse(pr.GetValue(shard)!),
                Resume = pr.GetValue(resume), ImageFolder = pr.GetValue(imageDir), Journal = pr.GetValue(journal),
            };
            var scorerSettings = new AuditScorerOptions(pr.GetValue(model), pr.GetValue(device)!, KeyValues(pr.GetValue(scorerOptions), "--scorer-option"))
            {
                Images = options.Images, Clip = pr.GetValue(clip),
            };
            return Task.FromResult(Run(source, options, pr.GetRequiredValue(scorer), scorerSettings, ct));
        });
        return cmd;
    }

    internal static int Run(PromptSource source, AuditRunOptions options, string scorerName, AuditScorerOptions scorerOptions, CancellationToken ct)
    {
        AuditScorers.CheckName(scorerName);
        // Pass 1 (streamed): report bad rows once, with line numbers, and count this shard's work units for the ETA.
        long badRows = 0, units = 0;
        foreach (var p in source.Read(row => { badRows++; Console.Error.WriteLine($"bad row: {row}"); }))
            if (options.Shard.Contains(p.Id)) units += options.Seeds.Count;
        if (badRows > 0) Console.Error.WriteLine($"{badRows} bad row(s) skipped");

        using var scorer = AuditScorers.Create(scorerName, scorerOptions);
        var sw = Stopwatch.StartNew();
        AuditRunSummary summary;
        if (!Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            summary = null!;
            CliProgress.Bars(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new AuditRateColumn(),
                    new RemainingTimeColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"audit {Markup.Escape(options.Shard.ToString())}", maxValue: Math.Max(1, units));
                    var refresh = CliProgress.Refresher(ctx);
                    var progress = new InlineProgress<AuditProgress>(p => { task.Value = p.Done; refresh(); });
                    summary = AuditRunner.Run(options, source.Read(), scorer, progress, units, ct);
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            var last = TimeSpan.Zero;
            var progress = new InlineProgress<AuditProgress>(p =>
            {
                if (sw.Elapsed - last < TimeSpan.FromSeconds(5)) return;
                last = sw.Elapsed;
                Console.Error.WriteLine(ProgressLine(p, sw.Elapsed));
            });
            summary = AuditRunner.Run(options, source.Read(), scorer, progress, units, ct);
        }
        Console.WriteLine($"{options.DatabasePath}: shard {options.Shard}, {summary.Units} work units, {summary.Scored} scored now, "
                          + $"{summary.AlreadyDone} already done, {summary.RowsWritten} rows written in {sw.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    internal static string ProgressLine(AuditProgress p, TimeSpan elapsed)
    {
        long fresh = p.Done - p.AlreadyDone;
        double rate = elapsed.TotalSeconds > 0 ? fresh / elapsed.TotalSeconds : 0;
        string eta = p.Total is long total && rate > 0 ? TimeSpan.FromSeconds((total - p.Done) / rate).ToString(@"hh\:mm\:ss") : "?";
        return $"{p.Done}/{p.Total?.ToString(CultureInfo.InvariantCulture) ?? "?"} units, {rate:F2}/s, ETA {eta}";
    }

    private static PromptSource Source(string? prompts, string? template, string[] lists, PromptSetOptions options)
    {
        if ((prompts == null) == (template == null)) throw new ArgumentException("give exactly one of --prompts FILE and --template TEXT");
        if (prompts != null)
        {
            if (lists.Length > 0) throw new ArgumentException("--list applies to --template only");
            return PromptSource.FromFile(prompts, options);
        }
        var given = KeyValues(lists, "--list").ToDictionary(p => p.Key, p => ValueLists.ReadFile(p.Value));
        return PromptSource.FromTemplate(template!, given);
    }

    private static List<long> ParseSeeds(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new ArgumentException($"--seeds '{text}': '{s}' is not an integer")).ToList();

    private static Dictionary<string, string> KeyValues(string[]? items, string option)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items ?? Array.Empty<string>())
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"{option} '{item}': expected KEY=VALUE");
            result[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return result;
    }
}
