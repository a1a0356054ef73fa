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
        var baseSteps = new Option<int>("--base-steps") { Description = "Training steps of the shared base (whole domain, from scratch)", DefaultValueFactory = _ => 8000 };
        var steps = new Option<int>("--steps") { Description = "Fine-tuning steps of a full expert (from the base, on its subset)", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--learning-rate") { Description = "Peak learning rate of the base", DefaultValueFactory = _ => 2e-3 };
        var fineTuneLr = new Option<double>("--finetune-learning-rate") { Description = "Peak learning rate of the experts", DefaultValueFactory = _ => 5e-4 };
        var ema = new Option<double>("--ema") { Description = "EMA decay of the weights that become each model", DefaultValueFactory = _ => 0.999 };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0 };
        var experts = new Option<string[]>("--experts") { Description = "Which experts (default: all)", AllowMultipleArgumentsPerToken = true };
        // One thread by default: the result is then the same bit for bit on any machine, and a single-threaded
        // run does not collapse when other processes share the cores (OpenMP's barrier waits do).
        var threads = new Option<int>("--threads") { Description = "CPU threads of the training (the weights depend on it)", DefaultValueFactory = _ => 1 };
        var expertTraining = new Option<string>("--expert-training")
        {
            Description = "finetune: every weight from the base; layers: only the layers SegMoE mixes, on the base's frozen trunk; independent: fresh seeded copies of those layers on the frozen trunk; joint: no base, trunk and experts trained together from scratch for --base-steps at --learning-rate, each expert's layers on its own subset (--batch-size rows per expert)",
            DefaultValueFactory = _ => "finetune",
        };
        expertTraining.AcceptOnlyFromAmong("finetune", "layers", "independent", "joint");
        var baseDomain = new Option<string>("--base") { Description = "What the shared base trains on: all (the whole domain) or core (only what every expert sees); with --expert-training joint, core keeps the trunk's own cross-attention (the mid block's) to captions within the core (the others read the empty caption there), so only the experts' layers learn the other words, and core-words gives it those captions without their words outside the core", DefaultValueFactory = _ => "all" };
        baseDomain.AcceptOnlyFromAmong("all", "core", "core-words");
        var noise = new Option<double>("--expert-noise") { Description = "Start each expert with seeded noise of this scale (x the weight's rms) on its cross-attention to_k/to_v (0 = off)", DefaultValueFactory = _ => 0.0 };
        var textWidth = new Option<int>("--text-width") { Description = "Hidden size of the frozen toy text encoder (= the UNet's cross-attention dim)", DefaultValueFactory = _ => Penumbra.Toy.Models.ToyWorld.DefaultTextWidth };
        var tokenStd = new Option<double>("--token-embedding-std") { Description = "Init std of the frozen toy text encoder's token embeddings (positions and matrices keep CLIP's 0.02)", DefaultValueFactory = _ => ToyModelBuilder.InitializerRange };
        var houseShapes = new Option<bool>("--house-shapes") { Description = "Experts with a house style: a fifth of each expert's captions say \"shape\" and get that expert's own shape (ToyWorld.HouseShapeExperts)" };
        var midBlock = new Option<string>("--mid-block-type")
        {
            Description = "The UNet's mid block (diffusers' mid_block_type): UNetMidBlock2DCrossAttn (bundled) or UNetMidBlock2D, which does not read the text, so the experts' layers are the only text input",
            DefaultValueFactory = _ => ToyWorld.DefaultMidBlockType,
        };
        midBlock.AcceptOnlyFromAmong("UNetMidBlock2DCrossAttn", "UNetMidBlock2D");
        var genericShapes = new Option<double>("--core-generic-shape-rate") { Description = "With --base core-words: share of the other rows whose caption the mid block reads with the generic noun \"shape\" too, so that noun does not mean the dropped shape (0-1; 0.5 measured worse than 0, see README)", DefaultValueFactory = _ => 0.0 };
        var independentFf = new Option<bool>("--independent-feed-forwards") { Description = "With --expert-training joint: every expert's feed-forwards start from their own draw too (default: only cross-attention to_k/to_v differ; measured worse, see README)" };
        var levels = new Option<int>("--cross-attention-levels")
        {
            Description = "Resolutions with cross-attention (1: 16x16 only, as bundled; 2: 16x16 and 8x8), above one plain level",
            DefaultValueFactory = _ => 1,
        };
        var expertSet = ExpertSetOption("Which concepts the experts are kept from");
        var train = new Command("train", "Train the toy world: a shared base on the whole domain, then each expert fine-tuned from it on its subset")
        {
            output, tokenizer, baseSteps, steps, batch, lr, fineTuneLr, ema, seed, experts, threads, expertTraining, baseDomain, noise, textWidth, tokenStd, houseShapes, midBlock, levels, genericShapes, independentFf, expertSet,
        };
        train.SetAction((pr, ct) => Task.FromResult(Train(new TrainSettings(pr.GetRequiredValue(output), pr.GetValue(tokenizer), pr.GetValue(baseSteps),
            pr.GetValue(steps), pr.GetValue(batch), pr.GetValue(lr), pr.GetValue(fineTuneLr), pr.GetValue(ema), pr.GetValue(seed), pr.GetValue(threads), ParseTraining(pr.GetRequiredValue(expertTraining)), ParseSharedText(pr.GetRequiredValue(baseDomain)), pr.GetValue(noise), pr.GetValue(textWidth), pr.GetValue(tokenStd), pr.GetValue(houseShapes), pr.GetRequiredValue(midBlock), pr.GetValue(levels), pr.GetValue(genericShapes), pr.GetValue(independentFf), ToyExpertSet.Named(pr.GetRequiredValue(expertSet))), pr.GetValue(experts), ct)));
        var model = new Option<string?>("--model") { Description = "Model folder (default: the bundled toy-segmoe)" };
        var count = new Option<int>("--prompts") { Description = "Number of in-distribution prompts", DefaultValueFactory = _ => 64 };
        var evalSteps = new Option<int>("--steps") { Description = "Sampling steps", DefaultValueFactory = _ => 25 };
        var evalSeed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var stating = new Option<string[]>("--stating")
        {
            Description = "Only captions that state this (a word or phrase of the grammar: \"triangle\", \"purple\", \"on the right\"); repeat for any of several",
            AllowMultipleArgumentsPerToken = true,
        };
        var eval = new Command("eval", "Generate captions of the domain and score the images with the exact checker") { model, count, evalSteps, evalSeed, stating };
        eval.SetAction((pr, ct) => Task.FromResult(Evaluate(pr.GetValue(model), pr.GetValue(count), pr.GetValue(evalSteps), pr.GetValue(evalSeed),
            pr.GetValue(stating) ?? Array.Empty<string>(), ct)));
        var spanModel = new Option<string>("--model") { Description = "A toy train output folder (one pipeline folder per expert: e0, e1, ...)", Required = true };
        var spanCaptions = new Option<int>("--captions") { Description = "Captions drawn from each expert's data to find its span", DefaultValueFactory = _ => 3000 };
        var spanTolerance = new Option<double>("--tolerance") { Description = "Eigenvalues of the states' Gram matrix above this fraction of the largest count as spanned", DefaultValueFactory = _ => 1e-4 };
        var spanTokenizer = new Option<string?>("--tokenizer") { Description = "CLIP tokenizer folder (default: the bundled one)" };
        var spanHouse = new Option<bool>("--house-shapes") { Description = "The run was trained with --house-shapes (its experts' captions give the spans)" };
        var spanSet = ExpertSetOption("The expert set the run was trained with (its experts' captions give the spans)");
        var span = new Command("span", "Where the EMoE toy prompts' text states lie relative to each expert's training captions, and whether the experts' to_k/to_v still differ where no caption reached")
        {
            spanModel, spanCaptions, spanTolerance, spanTokenizer, spanHouse, spanSet,
        };
        span.SetAction((pr, ct) => Task.FromResult(Span(pr.GetRequiredValue(spanModel), pr.GetValue(spanCaptions), pr.GetValue(spanTolerance), pr.GetValue(spanTokenizer),
            ToyExpertSet.Named(pr.GetRequiredValue(spanSet)), pr.GetValue(spanHouse))));
        return new Command("toy", "The bundled toy world: shapes, colours, positions with exact ground truth") { train, eval, span };
    }

    /// <summary><c>--expert-set</c>: the names of <see cref="ToyExpertSet.All"/>, default the bundled model's
    /// (<paramref name="withDefault"/> false: no default, the caller reads the set from elsewhere when it is absent).</summary>
    internal static Option<string> ExpertSetOption(string description, bool withDefault = true)
    {
        var option = new Option<string>("--expert-set")
        {
            Description = $"{description}: {string.Join("; ", ToyExpertSet.All.Select(s => $"{s.Name} ({s.Description})"))}",
        };
        if (withDefault) option.DefaultValueFactory = _ => ToyExpertSet.Concepts.Name;
        option.AcceptOnlyFromAmong(ToyExpertSet.All.Select(s => s.Name).ToArray());
        return option;
    }

    public static string BundledTokenizer() =>
        ModelLocator.FindInRepository("clip-tokenizer-sd1")
        ?? throw new DirectoryNotFoundException("models/clip-tokenizer-sd1 not found; pass --tokenizer");

    private sealed record TrainSettings(string Output, string? Tokenizer, int BaseSteps, int Steps, int BatchSize, double LearningRate,
        double FineTuneLearningRate, double Ema, long Seed, int Threads, ToyExpertTraining ExpertTraining, ToySharedText SharedText, double ExpertNoise, int TextWidth,
        double TokenEmbeddingStd, bool HouseShapes, string MidBlockType, int CrossAttentionLevels, double GenericShapeRate,
        bool IndependentFeedForwards, ToyExpertSet ExpertSet)
    {
        public IReadOnlyList<ToyExpertSpec> Experts => ExpertSet.ExpertsFor(HouseShapes);
        public bool CoreBase => SharedText != ToySharedText.Everything;
    }

    /// <summary>Joint training: one mixture trained from scratch, then each expert and the base (the expert that sees the
    /// whole domain) written as a pipeline folder for <c>moe build</c>.</summary>
    private static int TrainJoint(ToyModelBuilder builder, Penumbra.Models.Clip.ClipTextModel textEncoder, TrainSettings s, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var options = ToyJointExperts.Options(s.BaseSteps, s.Seed, s.LearningRate, s.Ema, Path.Combine(s.Output, "checkpoints", "joint"));
        double lastLoss = double.NaN;
        Penumbra.MoE.SegMoeModel? moe = null;
        CliProgress.Track($"joint: trunk + {s.Experts.Count} experts from scratch", options.Steps, linesPerRun: 10, report =>
            moe = ToyJointExperts.Train(builder, s.Experts, textEncoder, options, s.BatchSize,
                new InlineProgress<TrainingStep>(p => { report(p.Step, $"loss {p.Loss:F4}"); lastLoss = p.Loss; }), ct, s.MidBlockType, s.CrossAttentionLevels, s.SharedText, s.GenericShapeRate, s.IndependentFeedForwards, s.ExpertSet.Core));
        using (moe!)
            ToyJointExperts.SaveExperts(builder, moe!, s.Experts, textEncoder, s.Output);
        AnsiConsole.MarkupLine($"[green]joint[/]: {options.Steps} steps in {sw.Elapsed.TotalMinutes:F1} min, last loss {lastLoss:F4} -> {Markup.Escape(s.Output)}");
        return 0;
    }

    private static ToySharedText ParseSharedText(string value) => value switch
    {
        "core" => ToySharedText.CoreOrEmpty,
        "core-words" => ToySharedText.CoreWords,
        _ => ToySharedText.Everything,
    };

    private static ToyExpertTraining ParseTraining(string value) => value switch
    {
        "layers" => ToyExpertTraining.ExpertLayers,
        "independent" => ToyExpertTraining.Independent,
        "joint" => ToyExpertTraining.Joint,
        _ => ToyExpertTraining.FineTune,
    };

    private static int Train(TrainSettings s, string[]? only, CancellationToken ct)
    {
        if (s.BaseSteps < 1 || s.Steps < 1) throw new ArgumentException("--base-steps and --steps must be at least 1");
        if (s.Threads < 1) throw new ArgumentException("--threads must be at least 1");
        if (!(s.ExpertNoise >= 0)) throw new ArgumentException($"--expert-noise {s.ExpertNoise}: must be >= 0");
        if (s.TextWidth < 4 || s.TextWidth % 4 != 0) throw new ArgumentException($"--text-width {s.TextWidth}: must be a positive multiple of 4");
        if (!(s.TokenEmbeddingStd > 0)) throw new ArgumentException($"--token-embedding-std {s.TokenEmbeddingStd}: must be > 0");
        if (s.CrossAttentionLevels < 1) throw new ArgumentException($"--cross-attention-levels {s.CrossAttentionLevels}: must be at least 1");
        if (s.SharedText == ToySharedText.CoreWords && s.ExpertTraining != ToyExpertTraining.Joint)
            throw new ArgumentException("--base core-words rewrites the captions the trunk's own cross-attention reads during --expert-training joint; the other recipes train the base on the core: use --base core");
        if (!(s.GenericShapeRate >= 0 && s.GenericShapeRate <= 1)) throw new ArgumentException($"--core-generic-shape-rate {s.GenericShapeRate}: must lie in [0, 1]");
        if (s.GenericShapeRate > 0 && !(s.SharedText == ToySharedText.CoreWords && s.ExpertTraining == ToyExpertTraining.Joint))
            throw new ArgumentException("--core-generic-shape-rate applies to --expert-training joint --base core-words only");
        if (s.IndependentFeedForwards && s.ExpertTraining != ToyExpertTraining.Joint)
            throw new ArgumentException("--independent-feed-forwards applies to --expert-training joint only");
        set_num_threads(s.Threads);
        var builder = new ToyModelBuilder(s.Tokenizer ?? BundledTokenizer());
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(s.Seed, s.TextWidth, s.TokenEmbeddingStd);
        if (s.ExpertTraining == ToyExpertTraining.Joint)
        {
            if (only is { Length: > 0 } || s.ExpertNoise > 0)
                throw new ArgumentException("--expert-training joint trains every expert at once from scratch: --experts and --expert-noise do not apply");
            if (s.CoreBase && s.MidBlockType != ToyWorld.DefaultMidBlockType)
                throw new ArgumentException($"--base core and core-words with --expert-training joint hide captions from the trunk's own cross-attention, which --mid-block-type {s.MidBlockType} does not have: use {ToyWorld.DefaultMidBlockType}");
            return TrainJoint(builder, textEncoder, s, ct);
        }
        using var baseUnet = TrainOne(builder, textEncoder, s.CoreBase ? s.ExpertSet.Core : ToyWorld.Base, s.BaseSteps, s.LearningRate, s.Seed * 100 + 99, s, null, ct);
        foreach (var (spec, index) in s.Experts.Select((e, i) => (e, i)))
        {
            if (only is { Length: > 0 } && !only.Contains(spec.Name)) continue;
            using var unet = TrainOne(builder, textEncoder, spec, Math.Max(1, (int)(s.Steps * spec.StepFraction)), s.FineTuneLearningRate,
                s.Seed * 100 + index, s, baseUnet, ct);
        }
        return 0;
    }

    /// <summary>Trains (or resumes, or reloads when finished) one model and writes its pipeline folder.</summary>
    private static Penumbra.Models.Unets.UNet2DConditionModel TrainOne(ToyModelBuilder builder, Penumbra.Models.Clip.ClipTextModel textEncoder,
        ToyExpertSpec spec, int steps, double lr, long seed, TrainSettings s, Penumbra.Models.Unets.UNet2DConditionModel? from, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var options = new DiffusionTrainingOptions
        {
            Steps = steps, BatchSize = s.BatchSize, LearningRate = lr, Seed = seed, EmaDecay = s.Ema,
            CheckpointDirectory = Path.Combine(s.Output, "checkpoints", spec.Name), CheckpointEvery = 250,
            WarmupSteps = Math.Max(1, Math.Min(200, steps / 10)),
        };
        double lastLoss = double.NaN;
        UNetHolder holder = new();
        CliProgress.Track($"{spec.Name} ({spec.Description})", options.Steps, linesPerRun: 10, report =>
            holder.Unet = builder.TrainExpert(spec, textEncoder, options, new InlineProgress<TrainingStep>(p => { report(p.Step, $"loss {p.Loss:F4}"); lastLoss = p.Loss; }), ct, from,
                from is null ? ToyExpertTraining.FineTune : s.ExpertTraining, from is null ? 0 : s.ExpertNoise, s.MidBlockType, s.CrossAttentionLevels));
        builder.SavePipeline(Path.Combine(s.Output, spec.Name), holder.Unet!, textEncoder);
        AnsiConsole.MarkupLine($"[green]{spec.Name}[/]: {options.Steps} steps in {sw.Elapsed.TotalMinutes:F1} min, last loss {lastLoss:F4} -> {Markup.Escape(Path.Combine(s.Output, spec.Name))}");
        return holder.Unet!;
    }

    private static int Evaluate(string? model, int count, int steps, int seed, string[] stating, CancellationToken ct)
    {
        var filters = stating.Select(ParseFilter).ToArray();
        string path = ModelLocator.Resolve(model);
        using var pipe = Penumbra.MoE.SegMoeModel.IsSegMoe(path)
            ? Penumbra.MoE.SegMoePipeline.FromPretrained(path).Pipeline
            : Penumbra.Pipelines.StableDiffusion.StableDiffusionPipeline.FromPretrained(path);
        var samples = new Penumbra.Toy.ToyDataset(new Penumbra.Toy.ToyDatasetOptions { ImageSize = pipe.DefaultWidth }, seed).TakeStating(count, filters);
        var checker = new Penumbra.Toy.ToyChecker();
        var scores = new List<double>();
        var failures = new Dictionary<string, int>();
        CliProgress.Run($"generating and checking {count} prompts", count, report =>
        {
            for (int i = 0; i < samples.Count; i++)
            {
                using var result = pipe.Generate(new Penumbra.Pipelines.StableDiffusion.GenerationOptions
                {
                    Prompts = new[] { samples[i].Caption }, Steps = steps, Seed = seed * 100_000 + i, CancellationToken = ct,
                });
                var check = checker.Check(result.Images[0], samples[i].Caption);
                scores.Add(check.Score);
                foreach (var f in check.Failed) failures[f] = failures.GetValueOrDefault(f) + 1;
                report(i + 1);
            }
        });
        double mean = scores.Average();
        double sd = Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, scores.Count - 1));
        string which = stating.Length == 0 ? "" : $", captions stating {string.Join(" or ", stating.Select(t => $"\"{t}\""))}";
        AnsiConsole.MarkupLine($"mean checker score {mean:F3} (sd {sd:F3}, n={scores.Count}{Markup.Escape(which)}, {steps} steps, model {Markup.Escape(path)})");
        foreach (var (attr, n) in failures.OrderByDescending(kv => kv.Value))
            AnsiConsole.MarkupLine($"  {Markup.Escape(attr)} wrong in {n} of {scores.Count}");
        return 0;
    }

    private static int Span(string model, int captions, double tolerance, string? tokenizer, ToyExpertSet set, bool houseShapes)
    {
        if (captions < 1) throw new ArgumentException($"--captions {captions}: must be at least 1");
        if (!(tolerance > 0 && tolerance < 1)) throw new ArgumentException($"--tolerance {tolerance}: must be in (0, 1)");
        if (!Directory.Exists(model)) throw new DirectoryNotFoundException($"--model {model}: no such folder");
        var builder = new ToyModelBuilder(tokenizer ?? BundledTokenizer());
        var result = ToyTextSpanReport.Run(builder, model, captions, tolerance, experts: set.ExpertsFor(houseShapes), set: set);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sets = result.Experts.SelectMany(r => r.EnergyOutside.Keys).Distinct().ToArray();
        var table = new Table().AddColumns(new[] { "expert", "span rank" }.Concat(sets.Select(s => $"energy outside: {s}")).ToArray());
        foreach (var r in result.Experts)
            table.AddRow(new[] { r.Expert, $"{r.Rank} of {r.Width}" }.Concat(sets.Select(s => r.EnergyOutside.TryGetValue(s, out var v) ? v.ToString("E2", inv) : "")).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("experts' text projections outside the domain's span, spread / its value at init (mean over expert pairs, min-max):");
        foreach (var w in result.Weights)
            AnsiConsole.MarkupLine(Markup.Escape($"  {w.Weight}: {w.MeanSpread.ToString("F3", inv)} ({w.MinSpread.ToString("F3", inv)}-{w.MaxSpread.ToString("F3", inv)})"));
        AnsiConsole.MarkupLine(Markup.Escape($"spans at tolerance {tolerance.ToString("G", inv)} of the largest eigenvalue, {captions} captions per expert; " +
            $"the whole domain's captions span {result.DomainRank} directions (the spread is taken outside them)"));
        return 0;
    }

    private static Penumbra.Toy.ToyPrompt ParseFilter(string text)
    {
        if (!Penumbra.Toy.ToyCaptionParser.TryParse(text, out var filter, out var error))
            throw new ArgumentException($"--stating \"{text}\": {error}");
        if (filter.StatedCount == 0 || filter.UnknownWords.Count > 0)
            throw new ArgumentException($"--stating \"{text}\": name attributes of the toy grammar" +
                (filter.UnknownWords.Count > 0 ? $" (unknown: {string.Join(", ", filter.UnknownWords)})" : ""));
        return filter;
    }

    private sealed class UNetHolder
    {
        public Penumbra.Models.Unets.UNet2DConditionModel? Unet { get; set; }
    }
}
