using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Penumbra.Audit;
using Penumbra.MoE;
using Penumbra.Uncertainty;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra uncertainty</c>: EMoE's epistemic uncertainty of prompts on a SegMoE model with its baselines,
/// optional variance-map overlays, per-word attribution and the generated image; <c>evaluate-toy</c> measures the direction
/// on the toy world.</summary>
public static class UncertaintyCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = $"SegMoE pipeline folder (default: the bundled models/{ModelLocator.EmoeModelName}, whose experts each miss one colour)" };
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeat for several)" };
        var prompts = new Option<string?>("--prompts") { Description = "Prompt file: .txt (one per line), .csv/.tsv or .jsonl with a 'prompt' column" };
        var map = new Option<string?>("--map") { Description = "Write the variance map as a heat-map overlay PNG (one prompt: this file; several: <name>-NNN.png)" };
        var attribute = new Option<bool>("--attribute") { Description = "Per-word attribution: EU change when each word is removed, ranked" };
        var withImage = new Option<bool>("--with-image") { Description = "Also generate the normal MoE image from the same initial latent (the map is drawn on it)" };
        var image = new Option<string?>("--image") { Description = "With --with-image: write the generated image(s) here (PNG, named like --map)" };
        var seed = new Option<long>("--seed") { Description = "Seed of the initial latent (CPU generator, as in generate)", DefaultValueFactory = _ => 0 };
        var steps = new Option<int>("--steps") { Description = "Schedule length (EU is taken at its first timestep unless --step-index says otherwise)", DefaultValueFactory = _ => 25 };
        var seedSamples = new Option<int>("--seed-samples") { Description = "Initial latents of the seed-variance baseline", DefaultValueFactory = _ => 4 };
        var reference = new Option<string?>("--reference") { Description = "Reference prompt file for the embedding-distance baseline" };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale of the generated image", DefaultValueFactory = _ => 7.5 };
        var batch = new Option<int>("--batch-size") { Description = "Prompts scored per batch", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "JSON lines (prompt, seed, eu, baselines, ...) instead of a table" };
        var cmd = new Command("uncertainty", "EMoE epistemic uncertainty of prompts from expert disagreement, with baselines")
        {
            model, prompt, prompts, map, attribute, withImage, image, seed, steps, seedSamples, reference, guidance, batch, json,
        };
        var emoe = new EmoeScoreOptions();
        emoe.AddTo(cmd);
        cmd.SetAction((pr, ct) => Task.FromResult(Run(new UncertaintyRequest(pr.GetValue(model), pr.GetValue(prompt) ?? Array.Empty<string>(),
            pr.GetValue(prompts), pr.GetValue(map), pr.GetValue(attribute), pr.GetValue(withImage), pr.GetValue(image),
            pr.GetValue(seed), pr.GetValue(steps), pr.GetValue(seedSamples), pr.GetValue(reference), pr.GetValue(guidance),
            pr.GetValue(batch), pr.GetValue(json)), () => emoe.Read(pr, pr.GetValue(seed), pr.GetValue(steps)), ct)));
        cmd.Subcommands.Add(UncertaintyToyCommand.Create());
        return cmd;
    }

    private sealed record UncertaintyRequest(string? Model, string[] Prompt, string? PromptsFile, string? Map, bool Attribute, bool WithImage,
        string? Image, long Seed, int Steps, int SeedSamples, string? Reference, double Guidance, int BatchSize, bool Json);

    internal static SegMoePipeline LoadMoe(string? model)
    {
        string path = ModelLocator.Resolve(model, ModelLocator.EmoeModelName);
        if (!SegMoeModel.IsSegMoe(path))
            throw new ArgumentException($"--model {path}: not a SegMoE model (no segmoe_config in unet/config.json); EMoE needs a mixture of experts");
        return SegMoePipeline.FromPretrained(path);
    }

    private static string[] ReadPrompts(string path, string option)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{option} {path}: file not found");
        var list = PromptSetReader.Read(path).Select(p => p.Text).ToArray();
        return list.Length > 0 ? list : throw new ArgumentException($"{option} {path}: no prompts in the file");
    }

    private static void CheckPng(string? path, string option)
    {
        if (path is not null && !path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{option} {path}: expected a .png file name");
    }

    /// <summary>The file of prompt <paramref name="index"/>: the path itself for a single prompt, else name-NNN.png.</summary>
    internal static string Numbered(string path, int index, int count) =>
        count == 1 ? path : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{index:D3}.png");

    private static int Run(UncertaintyRequest r, Func<EmoeOptions> readEmoe, CancellationToken ct)
    {
        if (r.Prompt.Length > 0 == (r.PromptsFile is not null))
            throw new ArgumentException("give prompts with --prompt or --prompts <file> (exactly one of them)");
        if (r.Seed < 0) throw new ArgumentException($"--seed {r.Seed}: must be >= 0");
        if (r.Steps < 1) throw new ArgumentException($"--steps {r.Steps}: must be at least 1");
        var emoe = readEmoe();
        if (r.SeedSamples < 2) throw new ArgumentException($"--seed-samples {r.SeedSamples}: must be at least 2");
        if (r.BatchSize < 1) throw new ArgumentException($"--batch-size {r.BatchSize}: must be at least 1");
        if (r.Image is not null && !r.WithImage) throw new ArgumentException("--image needs --with-image");
        CheckPng(r.Map, "--map");
        CheckPng(r.Image, "--image");
        var prompts = r.PromptsFile is null ? r.Prompt : ReadPrompts(r.PromptsFile, "--prompts");
        if (prompts.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("--prompt: empty prompt");
        var reference = r.Reference is null ? null : ReadPrompts(r.Reference, "--reference");
        foreach (var file in new[] { r.Map, r.Image })
            if (file is not null && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir && !Directory.Exists(dir))
                throw new DirectoryNotFoundException($"{file}: folder {dir} does not exist");

        using var moe = LoadMoe(r.Model);
        var analyzer = new EmoeAnalyzer(new EmoeEstimator(moe));
        var options = new EmoeAnalysisOptions
        {
            Emoe = emoe,
            SeedSamples = r.SeedSamples, ReferencePrompts = reference, Attribute = r.Attribute, WithImage = r.WithImage,
            GuidanceScale = r.Guidance, CancellationToken = ct,
        };
        var rows = new List<Row>();
        CliProgress.Run($"scoring {prompts.Length} prompt(s)", prompts.Length, report =>
        {
            for (int start = 0; start < prompts.Length; start += r.BatchSize)
            {
                var chunk = prompts.Skip(start).Take(r.BatchSize).ToArray();
                foreach (var (a, k) in analyzer.Analyze(chunk, options).Select((a, k) => (a, k)))
                    using (a)
                    {
                        int index = start + k;
                        string? mapFile = r.Map is null ? null : Numbered(r.Map, index, prompts.Length);
                        string? imageFile = r.Image is null ? null : Numbered(r.Image, index, prompts.Length);
                        if (mapFile is not null)
                        {
                            int width = emoe.Width ?? moe.Pipeline.DefaultWidth, height = emoe.Height ?? moe.Pipeline.DefaultHeight;
                            int scale = Math.Max(1, 256 / width);
                            EmoeHeatMap.Overlay(a.Result.Map, a.Image, width, height, scale).Save(mapFile);
                        }
                        if (imageFile is not null) a.Image!.Save(imageFile);
                        var row = new Row(a.Result.Prompt, a.Result.Seed, a.Result.Mode, a.Result.Latent, a.Result.Timestep, a.Result.Eu,
                            a.Baselines, a.Attribution, mapFile, imageFile);
                        rows.Add(row);
                        if (r.Json) Console.Out.WriteLine(ToJson(row));
                    }
                report(Math.Min(prompts.Length, start + chunk.Length));
            }
        });
        if (!r.Json) PrintTable(rows, reference is not null, r.Attribute);
        return 0;
    }

    private sealed record Row(string Prompt, long Seed, EmoeMode Mode, EmoeLatent Latent, double Timestep, double Eu, EmoeBaselines Baselines,
        IReadOnlyList<WordAttribution>? Attribution, string? Map, string? Image);

    private static string ToJson(Row row)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("prompt", row.Prompt);
            w.WriteNumber("seed", row.Seed);
            w.WriteString("mode", row.Mode.ToString().ToLowerInvariant());
            w.WriteString("latent", EmoeOptions.LatentName(row.Latent));
            w.WriteNumber("timestep", row.Timestep);
            Number(w, UncertaintyScoreNames.Eu, row.Eu);
            Number(w, UncertaintyScoreNames.RouterEntropy, row.Baselines.RouterEntropy);
            w.WriteNumber(UncertaintyScoreNames.TokenLength, row.Baselines.TokenLength);
            Number(w, UncertaintyScoreNames.SeedVariance, row.Baselines.SeedVariance);
            foreach (var name in PathDisagreements.Names) Number(w, name, row.Baselines.PathMeasures[name]);
            if (row.Baselines.EmbeddingDistance is { } d) Number(w, UncertaintyScoreNames.EmbeddingDistance, d);
            if (row.Attribution is { } words)
            {
                w.WriteStartArray("attribution");
                foreach (var a in words)
                {
                    w.WriteStartObject();
                    w.WriteString("word", a.Word);
                    w.WriteNumber("index", a.Index);
                    Number(w, "contribution", a.Contribution);
                    Number(w, "eu_without", a.EuWithout);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (row.Map is not null) w.WriteString("map", row.Map);
            if (row.Image is not null) w.WriteString("image", row.Image);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>JSON has no NaN: non-finite values are written as null.</summary>
    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static void PrintTable(IReadOnlyList<Row> rows, bool distance, bool attribution)
    {
        var table = new Table().AddColumns("#", "prompt", "EU", "router entropy", "tokens", "seed variance")
            .AddColumns(PathDisagreements.Names.Select(n => n.Replace('_', ' ')).ToArray());
        if (distance) table.AddColumn("embedding distance");
        if (attribution) table.AddColumn("words by EU contribution");
        foreach (var (row, i) in rows.Select((x, i) => (x, i)))
        {
            var cells = new List<string>
            {
                i.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.Prompt), G(row.Eu), G(row.Baselines.RouterEntropy),
                row.Baselines.TokenLength.ToString(CultureInfo.InvariantCulture), G(row.Baselines.SeedVariance),
            };
            cells.AddRange(PathDisagreements.Names.Select(n => G(row.Baselines.PathMeasures[n])));
            if (distance) cells.Add(G(row.Baselines.EmbeddingDistance ?? double.NaN));
            if (attribution)
                cells.Add(Markup.Escape(string.Join(", ", (row.Attribution ?? Array.Empty<WordAttribution>())
                    .Select(a => $"{a.Word} {a.Contribution.ToString("+0.###E+0;-0.###E+0", CultureInfo.InvariantCulture)}"))));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        var first = rows[0];
        AnsiConsole.MarkupLine($"mode {first.Mode.ToString().ToLowerInvariant()}, latent {EmoeOptions.LatentName(first.Latent)}, seed {first.Seed}, timestep {first.Timestep}" +
                               (rows.Any(x => x.Map is not null) ? $", maps: {Markup.Escape(string.Join(" ", rows.Select(x => x.Map)))}" : ""));
    }

    private static string G(double v) => double.IsFinite(v) ? v.ToString("G5", CultureInfo.InvariantCulture) : "n/a";
}
