using System.CommandLine;
using System.Diagnostics;
using Penumbra.Toy.Models;
using Penumbra.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra toy train</c>: trains the toy world's experts (deterministic per seed, resumable).</summary>
public static class ToyCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for experts/e0..e3 and checkpoints", DefaultValueFactory = _ => "models/toy-experts" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "CLIP tokenizer folder (default: the bundled models/clip-tokenizer-sd1)" };
        var steps = new Option<int>("--steps") { Description = "Training steps of a full expert", DefaultValueFactory = _ => 50 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 2e-3 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var experts = new Option<string[]>("--experts") { Description = "Which experts (default: all)", AllowMultipleArgumentsPerToken = true };
        var train = new Command("train", "Train the toy-world experts (pixel-space UNets on subsets of the domain)")
        {
            output, tokenizer, steps, batch, lr, seed, experts,
        };
        train.SetAction((pr, ct) => Task.FromResult(Train(pr.GetRequiredValue(output), pr.GetValue(tokenizer), pr.GetValue(steps),
            pr.GetValue(batch), pr.GetValue(lr), pr.GetValue(seed), pr.GetValue(experts), ct)));
        return new Command("toy", "The bundled toy world: shapes, colours, positions with exact ground truth") { train };
    }

    public static string BundledTokenizer() =>
        ModelLocator.FindInRepository("clip-tokenizer-sd1")
        ?? throw new DirectoryNotFoundException("models/clip-tokenizer-sd1 not found; pass --tokenizer");

    private static int Train(string output, string? tokenizer, int steps, int batch, double lr, long seed, string[]? only, CancellationToken ct)
    {
        var builder = new ToyModelBuilder(tokenizer ?? BundledTokenizer());
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(seed);
        foreach (var (spec, index) in ToyWorld.Experts.Select((s, i) => (s, i)))
        {
            if (only is { Length: > 0 } && !only.Contains(spec.Name)) continue;
            var sw = Stopwatch.StartNew();
            var options = new DiffusionTrainingOptions
            {
                Steps = Math.Max(1, (int)(steps * spec.StepFraction)), BatchSize = batch, LearningRate = lr, Seed = seed * 100 + index,
                CheckpointDirectory = Path.Combine(output, "checkpoints", spec.Name), CheckpointEvery = 50,
                WarmupSteps = Math.Max(1, Math.Min(100, steps / 10)),
            };
            double lastLoss = double.NaN;
            UNetHolder holder = new();
            CliProgress.Run($"expert {spec.Name} ({spec.Description})", options.Steps, report =>
                holder.Unet = builder.TrainExpert(spec, textEncoder, options, new Progress<TrainingStep>(s => { report(s.Step); lastLoss = s.Loss; }), ct));
            using var unet = holder.Unet!;
            builder.SavePipeline(Path.Combine(output, spec.Name), unet, textEncoder);
            AnsiConsole.MarkupLine($"[green]{spec.Name}[/]: {options.Steps} steps in {sw.Elapsed.TotalMinutes:F1} min, last loss {lastLoss:F4} -> {Markup.Escape(Path.Combine(output, spec.Name))}");
        }
        return 0;
    }

    private sealed class UNetHolder
    {
        public Penumbra.Models.Unets.UNet2DConditionModel? Unet { get; set; }
    }
}
