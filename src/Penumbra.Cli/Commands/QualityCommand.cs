using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra quality sweep</c>: the mid-block bypass measurements on a toy-world model (tables in report.md).</summary>
public static class QualityCommand
{
    public static Command Create()
    {
        var defaults = new QualitySweepOptions();
        var model = new Option<string?>("--model") { Description = "Toy-world model folder (default: the bundled toy-segmoe)" };
        var output = new Option<string>("--out") { Description = "Folder for report.md, results.json and the cached toy-FID classifier", Required = true };
        var classifier = new Option<string?>("--classifier") { Description = "Clean toy shape CNN folder for toy-FID (trained and saved there if absent; default <out>/toy-fid-cnn)" };
        var schedules = new Option<string[]>("--schedules") { Description = "Schedule grid (g = 1 is always added)", AllowMultipleArgumentsPerToken = true };
        var strengths = new Option<string?>("--strengths") { Description = "Image-to-image strengths, comma-separated (default 0.3,0.6,0.9)" };
        var seeds = new Option<string?>("--seeds") { Description = "Seeds, comma-separated (default 0,1,2)" };
        var prompts = new Option<int>("--prompts") { Description = "Sweep prompts", DefaultValueFactory = _ => defaults.Prompts };
        var heldOut = new Option<int>("--held-out") { Description = "Held-out prompts", DefaultValueFactory = _ => defaults.HeldOutPrompts };
        var colourless = new Option<int>("--colourless") { Description = "Colourless prompts", DefaultValueFactory = _ => defaults.ColourlessPrompts };
        var real = new Option<int>("--real") { Description = "Real renders for toy-FID", DefaultValueFactory = _ => defaults.RealImages };
        var steps = new Option<int>("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => defaults.Steps };
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples", DefaultValueFactory = _ => defaults.Resamples };
        var scheduler = new Option<string?>("--scheduler") { Description = "Scheduler (default: the model's)" };
        var sweep = new Command("sweep", "Mid-block bypass: schedule sweep, held-out check, red fraction, image-to-image (toy world)")
        {
            model, output, classifier, schedules, strengths, seeds, prompts, heldOut, colourless, real, steps, resamples, scheduler,
        };
        sweep.SetAction((pr, ct) =>
        {
            var options = defaults with
            {
                Prompts = pr.GetValue(prompts), HeldOutPrompts = pr.GetValue(heldOut), ColourlessPrompts = pr.GetValue(colourless),
                RealImages = pr.GetValue(real), Steps = pr.GetValue(steps), Resamples = pr.GetValue(resamples), Scheduler = pr.GetValue(scheduler),
            };
            if (pr.GetValue(schedules) is { Length: > 0 } grid) options = options with { Schedules = grid };
            if (pr.GetValue(strengths) is { } s) options = options with { ImageToImageStrengths = Numbers("--strengths", s, double.Parse) };
            if (pr.GetValue(seeds) is { } sd) options = options with { Seeds = Numbers("--seeds", sd, long.Parse) };
            return Task.FromResult(RunSweep(pr.GetValue(model), pr.GetRequiredValue(output), pr.GetValue(classifier), options, ct));
        });
        return new Command("quality", "Quality measurements (mid-block bypass) on the toy world") { sweep };
    }

    private static T[] Numbers<T>(string option, string text, Func<string, IFormatProvider, T> parse)
    {
        try { return text.Split(',', StringSplitOptions.TrimEntries).Select(x => parse(x, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{option} '{text}': expected comma-separated numbers"); }
    }

    private static int RunSweep(string? model, string output, string? classifier, QualitySweepOptions options, CancellationToken ct)
    {
        try { options.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"quality sweep: {e.Message}"); }
        string path = ModelLocator.Resolve(model);
        Directory.CreateDirectory(output);
        using var pipe = SegMoeModel.IsSegMoe(path) ? SegMoePipeline.FromPretrained(path).Pipeline : StableDiffusionPipeline.FromPretrained(path);
        if (pipe.Vae is not null) throw new ArgumentException($"--model {path}: the quality sweep scores toy-world images; this model has a VAE (not a toy-world model)");
        string cnnFolder = classifier ?? Path.Combine(output, "toy-fid-cnn");
        Console.Error.WriteLine($"toy-FID classifier: {cnnFolder}");
        using var extractor = ToyFeatureExtractor.LoadOrTrain(cnnFolder, pipe.DefaultWidth);
        var sweep = new QualitySweep(pipe, extractor, options);
        var report = sweep.Run(new InlineProgress<string>(line => Console.Error.WriteLine(line)), ct);
        string markdown = report.ToMarkdown();
        File.WriteAllText(Path.Combine(output, "report.md"), markdown);
        File.WriteAllText(Path.Combine(output, "results.json"), JsonSerializer.Serialize(report, new JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        Console.WriteLine(markdown);
        AnsiConsole.MarkupLine($"[green]report[/] -> {Markup.Escape(Path.Combine(output, "report.md"))}, recommended default {Markup.Escape(report.RecommendedDefault)}");
        return 0;
    }
}
