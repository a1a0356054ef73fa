using System.CommandLine;
using System.Diagnostics;
using Penumbra.Debias;
using Penumbra.Training;
using Spectre.Console;
using static TorchSharp.torch;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra debias train</c>: trains MoESD adapters on (prompt, image) pairs or the toy world's balanced set.</summary>
public static class DebiasTrainCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Diffusers or SegMoE folder (default: the bundled toy model)" };
        var output = new Option<string>("--out") { Description = "Adapter folder to write (checkpoints in <out>/checkpoints)", Required = true };
        var data = new Option<string?>("--data") { Description = "JSONL of {prompt, image} or a folder (metadata.jsonl, or .png + .txt); default: the toy world's balanced set" };
        var toyExamples = new Option<int>("--toy-examples") { Description = "Size of the toy balanced set", DefaultValueFactory = _ => 1500 };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--learning-rate") { Description = "AdamW learning rate [U, spec placeholder 1e-4]", DefaultValueFactory = _ => 1e-4 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => 50 };
        var adapter = DebiasAdapterOptions.Create();
        var cmd = new Command("train", "Train bias adapters with the denoising loss (UNet, VAE and text encoder frozen; resumes from <out>/checkpoints)")
        {
            model, output, data, toyExamples, steps, batch, lr, seed, checkpointEvery,
        };
        adapter.AddTo(cmd);
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr.GetValue(model), pr.GetRequiredValue(output), pr.GetValue(data), pr.GetValue(toyExamples),
            new DiffusionTrainingOptions
            {
                Steps = pr.GetValue(steps), BatchSize = pr.GetValue(batch), LearningRate = pr.GetValue(lr), Seed = pr.GetValue(seed),
                CaptionDropout = 0, WarmupSteps = Math.Max(1, pr.GetValue(steps) / 10), CheckpointEvery = pr.GetValue(checkpointEvery),
                CheckpointDirectory = Path.Combine(pr.GetRequiredValue(output), "checkpoints"),
            }, adapter.Read(pr), ct)));
        return cmd;
    }

    private static int Run(string? model, string output, string? dataPath, int toyExamples, DiffusionTrainingOptions options,
        BiasAdapterConfig config, CancellationToken ct)
    {
        if (options.Steps < 1) throw new ArgumentException($"--steps {options.Steps}: must be at least 1");
        if (options.BatchSize < 1) throw new ArgumentException($"--batch-size {options.BatchSize}: must be at least 1");
        using var pipe = DebiasCommand.LoadPipeline(model, out string path);
        int size = pipe.DefaultWidth;
        var examples = dataPath is null ? ToyDebiasWorld.BalancedSet(toyExamples, (int)options.Seed, size) : DebiasDataset.Read(dataPath);
        using var mixture = BiasAdapterMixture.Create(pipe.TextEncoder, pipe.Tokenizer, config, options.Seed);
        using var attached = mixture.Attach(pipe.TextEncoder, pipe.Tokenizer);

        long trainable = mixture.TrainableParameters().Sum(p => p.numel());
        long encoder = pipe.TextEncoder.parameters().Sum(p => p.numel());
        long unet = pipe.Unet.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine($"model {Markup.Escape(path)}; data: {(dataPath is null ? $"toy balanced set ({examples.Count} colourless captions, colours uniform)" : Markup.Escape(dataPath))}, {examples.Count} examples");
        foreach (var line in mixture.Config.Describe()) AnsiConsole.MarkupLine("  " + Markup.Escape(line));
        AnsiConsole.WriteLine($"  optimizer AdamW lr {options.LearningRate:G3} [U, spec placeholder 1e-4], weight decay {options.WeightDecay}, {options.Steps} steps x batch {options.BatchSize}, " +
                               $"noise: DDPM {pipe.SchedulerConfig.NumTrainTimesteps} train steps [U, spec placeholder 1000], resolution {size}x{pipe.DefaultHeight} (the model's)");
        AnsiConsole.WriteLine($"  trainable parameters: {trainable:N0} = {100.0 * trainable / (encoder + unet):F3}% of text encoder + UNet ({encoder + unet:N0}; " +
                               $"text encoder {encoder:N0}, UNet {unet:N0}) [spec: ~5.6%, denominator unknown]");
        var routes = attached.Route(examples.Select(e => e.Prompt).Distinct().ToList());
        AnsiConsole.WriteLine($"  gate on the {routes.Length} distinct training prompts: " +
                               string.Join(", ", routes.GroupBy(d => d.IsIdentity ? "identity" : $"expert {d.Expert}").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));

        var images = new Dictionary<int, Penumbra.Imaging.RgbImage>();
        TrainingBatch Sample(int step, Generator _)
        {
            var picked = BatchIndices(step, options.BatchSize, examples.Count, options.Seed);
            var batchImages = picked.Select(i => images.TryGetValue(i, out var im) ? im : images[i] = examples[i].Load()).ToList();
            foreach (var (im, i) in batchImages.Zip(picked))
                if (im.Width != size || im.Height != pipe.DefaultHeight)
                    throw new ArgumentException($"example {i} (\"{examples[i].Prompt}\"): image is {im.Width}x{im.Height}, the model makes {size}x{pipe.DefaultHeight}");
            return new TrainingBatch(Penumbra.Toy.ToyImages.ToBatch(batchImages), picked.Select(i => examples[i].Prompt).ToList());
        }

        var trainer = new DebiasTrainer(attached, pipe.Unet, pipe.Vae, pipe.SchedulerConfig, options);
        var sw = Stopwatch.StartNew();
        var losses = new List<double>();
        CliProgress.Track("training adapters", options.Steps, linesPerRun: 10, report =>
            losses = trainer.Train(Sample, new InlineProgress<TrainingStep>(s => report(s.Step, $"loss {s.Loss:F4}")), ct));
        mixture.Save(output);
        int k = Math.Max(1, losses.Count / 10);
        string trend = losses.Count == 0 ? "no steps run (already trained)" : $"mean loss first {k} steps {losses.Take(k).Average():F4}, last {k} steps {losses.TakeLast(k).Average():F4}";
        AnsiConsole.MarkupLine($"[green]adapters[/] -> {Markup.Escape(output)} in {sw.Elapsed.TotalMinutes:F1} min; {trend}");
        return 0;
    }

    /// <summary>Example indices of a step: epoch-wise permutations seeded by (seed, epoch), so the batch is a function of the step.</summary>
    internal static int[] BatchIndices(int step, int batchSize, int count, long seed)
    {
        var result = new int[batchSize];
        int[]? perm = null;
        long cachedEpoch = -1;
        for (int j = 0; j < batchSize; j++)
        {
            long k = (long)step * batchSize + j;
            long epoch = k / count;
            if (epoch != cachedEpoch)
            {
                perm = Enumerable.Range(0, count).ToArray();
                new Random(unchecked((int)(seed * 7919 + epoch))).Shuffle(perm);
                cachedEpoch = epoch;
            }
            result[j] = perm![k % count];
        }
        return result;
    }
}
