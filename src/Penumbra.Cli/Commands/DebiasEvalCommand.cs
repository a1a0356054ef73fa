using System.CommandLine;
using System.Diagnostics;
using Penumbra.Debias;
using Penumbra.Reports;
using Penumbra.Toy;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>
/// <c>penumbra debias eval</c> (toy world): colour distribution of held-out colourless prompts with and without the
/// adapters (toy checker's colour per image), the spec's three fairness scores with bootstrap intervals, and the checker
/// score and gate routes of prompts that name a colour.
/// </summary>
public static class DebiasEvalCommand
{
    public static Command Create()
    {
        var adapters = new Option<string>("--adapters") { Description = "Adapter folder from `penumbra debias train`", Required = true };
        var model = new Option<string?>("--model") { Description = "Model folder (default: the bundled toy model)" };
        var prompts = new Option<int>("--prompts") { Description = "Held-out colourless prompts (held-out shapes or phrasing)", DefaultValueFactory = _ => 8 };
        var images = new Option<int>("--images") { Description = "Images per prompt [U, spec placeholder 100]", DefaultValueFactory = _ => 100 };
        var steps = new Option<int>("--steps") { Description = "Sampling steps [U, spec placeholder 50]", DefaultValueFactory = _ => 50 };
        // The model's own scheduler by default: the toy world is trained for DDPM, and DDIM at 25 steps draws it badly
        // (checker score 0.35 on colour-naming prompts), which would hide the bias being measured.
        var scheduler = new Option<string?>("--scheduler") { Description = "Sampler (default: the model's own) [U, spec placeholder ddim]" };
        var guidance = new Option<double>("--guidance") { Description = "CFG scale [U, spec placeholder 7.5]", DefaultValueFactory = _ => 7.5 };
        var colourImages = new Option<int>("--color-images") { Description = "Images per colour-naming prompt for the checker score", DefaultValueFactory = _ => 16 };
        var gatePrompts = new Option<int>("--gate-prompts") { Description = "Captions per kind for the gate's routing rates", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0 };
        var noToken = new Option<bool>("--no-special-token") { Description = "Inference ablation: do not append the special token" };
        var noGate = new Option<bool>("--no-gate") { Description = "Inference ablation: adapters always on (no identity route for colour-naming prompts)" };
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples", DefaultValueFactory = _ => 2000 };
        var cmd = new Command("eval", "Toy world: colour balance of colourless prompts with and without the adapters, quality of colour-naming prompts")
        {
            adapters, model, prompts, images, steps, scheduler, guidance, colourImages, gatePrompts, seed, resamples, noToken, noGate,
        };
        cmd.SetAction((pr, ct) => Task.FromResult(Run(new EvalRequest(pr.GetRequiredValue(adapters), pr.GetValue(model), pr.GetValue(prompts),
            pr.GetValue(images), pr.GetValue(steps), pr.GetValue(scheduler), pr.GetValue(guidance), pr.GetValue(colourImages),
            pr.GetValue(gatePrompts), pr.GetValue(seed), pr.GetValue(resamples), pr.GetValue(noToken), pr.GetValue(noGate)), ct)));
        return cmd;
    }

    private sealed record EvalRequest(string Adapters, string? Model, int Prompts, int Images, int Steps, string? Scheduler, double Guidance,
        int ColorImages, int GatePrompts, int Seed, int Resamples, bool NoToken, bool NoGate);

    private static string SamplerName(Penumbra.Pipelines.StableDiffusion.StableDiffusionPipeline pipe, string? name)
    {
        using var scheduler = pipe.CreateScheduler(name);
        return scheduler.Config.ClassName ?? name ?? "?";
    }

    private static int Run(EvalRequest r, CancellationToken ct)
    {
        if (r.Prompts < 1 || r.Images < 1 || r.Steps < 1 || r.ColorImages < 0 || r.GatePrompts < 0)
            throw new ArgumentException("--prompts, --images and --steps must be at least 1; --color-images and --gate-prompts at least 0");
        var sw = Stopwatch.StartNew();
        using var pipe = DebiasCommand.LoadPipeline(r.Model, out string path);
        using var mixture = BiasAdapterMixture.Load(r.Adapters, inference: c => c with
        {
            AppendSpecialToken = c.AppendSpecialToken && !r.NoToken, Gate = c.Gate with { UseGate = c.Gate.UseGate && !r.NoGate },
        });
        using var attached = mixture.Attach(pipe.TextEncoder, pipe.Tokenizer);
        var checker = new ToyChecker();
        var classes = ToyDebiasWorld.Palette.Select(ToyDebiasWorld.ColorWord).ToArray();
        var sampler = new AttributeSampler(pipe, image => checker.Detect(image) is { Found: true } d ? ToyDebiasWorld.ColorWord(d.Color) : null)
        {
            ImagesPerPrompt = r.Images, Steps = r.Steps, Scheduler = r.Scheduler, GuidanceScale = r.Guidance, Seed = r.Seed * 1_000_003L,
        };

        AnsiConsole.WriteLine($"model {path}; adapters {r.Adapters}");
        foreach (var line in mixture.Config.Describe()) AnsiConsole.WriteLine("  " + line);
        AnsiConsole.WriteLine($"  evaluation: {r.Prompts} held-out colourless prompts x {r.Images} images [U, spec placeholder 100/prompt], " +
                              $"{SamplerName(pipe, r.Scheduler)} {r.Steps} steps [U, spec placeholder ddim 50], CFG {r.Guidance} [U, spec placeholder 7.5], seed {r.Seed}, " +
                              $"classifier: toy checker colour (nearest palette colour of the foreground), K = {classes.Length}");

        var samples = ToyDebiasWorld.HeldOutPrompts(r.Prompts, r.Seed);
        var captions = samples.Select(s => s.Caption).ToList();
        var routes = attached.Route(captions);
        var counts = new Dictionary<bool, AttributeCounts[]>();
        foreach (bool on in new[] { false, true })
        {
            attached.Enabled = on;
            CliProgress.Run($"{(on ? "with" : "without")} adapters: {captions.Count} prompts x {r.Images} images", captions.Count, report =>
                counts[on] = sampler.Classify(captions, new InlineProgress<int>(report), ct));
        }
        attached.Enabled = true;

        var table = new Table().AddColumns("prompt", "route", "skew", "base colours", "adapted colours", "base FD", "adapted FD");
        var before = counts[false].Select(c => c.Distribution(classes)).ToList();
        var after = counts[true].Select(c => c.Distribution(classes)).ToList();
        for (int i = 0; i < captions.Count; i++)
            table.AddRow(Markup.Escape(captions[i]), routes[i].IsIdentity ? $"identity ({routes[i].Reason})" : $"expert {routes[i].Expert}",
                routes[i].Skew.ToString("F3"), Markup.Escape(Format(counts[false][i], classes)), Markup.Escape(Format(counts[true][i], classes)),
                AttributeFairness.L2(before[i]).ToString("F3"), AttributeFairness.L2(after[i]).ToString("F3"));
        AnsiConsole.Write(table);

        AnsiConsole.WriteLine($"fairness over {captions.Count} held-out prompts (lower is fairer; 95% bootstrap over prompts, {r.Resamples} resamples, seed {r.Seed}):");
        var scores = new Table().AddColumns("score", "base", "with adapters", "change (paired)", "after / before");
        foreach (var (name, score) in AttributeFairness.Scores)
        {
            var b = AttributeFairness.Mean(before, score, r.Resamples, r.Seed);
            var a = AttributeFairness.Mean(after, score, r.Resamples, r.Seed);
            var d = AttributeFairness.Change(before, after, score, r.Resamples, r.Seed);
            scores.AddRow(Markup.Escape(name), Markup.Escape(b.ToString()), Markup.Escape(a.ToString()), Markup.Escape(d.ToString()), (a.Estimate / b.Estimate).ToString("F2"));
        }
        AnsiConsole.Write(scores);
        double red(IEnumerable<AttributeCounts> cs) => cs.Sum(c => c.Counts.GetValueOrDefault("red")) / (double)Math.Max(1, cs.Sum(c => c.Counts.Values.Sum()));
        AnsiConsole.WriteLine($"red share of classified images: base {red(counts[false]):P1}, with adapters {red(counts[true]):P1} (uniform {1.0 / classes.Length:P1}); " +
                              $"unclassified images: base {counts[false].Sum(c => c.Unclassified)}, with adapters {counts[true].Sum(c => c.Unclassified)}");

        if (r.ColorImages > 0) ColourQuality(attached, sampler with { ImagesPerPrompt = r.ColorImages }, samples, checker, r, ct);
        if (r.GatePrompts > 0) GateRates(attached, r);
        AnsiConsole.WriteLine($"done in {sw.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>Checker score of colour-naming versions of the held-out prompts, with and without adapters (same seeds).</summary>
    private static void ColourQuality(BiasAdapterAttachment attached, AttributeSampler sampler, IReadOnlyList<ToySample> samples, ToyChecker checker,
        EvalRequest r, CancellationToken ct)
    {
        var prompts = samples.Select((s, i) => ToyDebiasWorld.WithColor(s, ToyDebiasWorld.Palette[i % ToyDebiasWorld.Palette.Count])).ToList();
        var routes = attached.Route(prompts);
        var scores = new Dictionary<bool, List<double>>();
        foreach (bool on in new[] { false, true })
        {
            attached.Enabled = on;
            var list = new List<double>();
            CliProgress.Run($"colour-naming prompts {(on ? "with" : "without")} adapters", prompts.Count, report =>
            {
                for (int i = 0; i < prompts.Count; i++)
                {
                    list.AddRange(sampler.Generate(prompts[i], sampler.Seed + 500_000 + i, ct).Select(im => checker.Check(im, prompts[i]).Score));
                    report(i + 1);
                }
            });
            scores[on] = list;
        }
        attached.Enabled = true;
        var b = Bootstrap.Mean(scores[false], r.Resamples, r.Seed);
        var a = Bootstrap.Mean(scores[true], r.Resamples, r.Seed);
        var diff = scores[true].Zip(scores[false], (x, y) => x - y).ToList();
        var d = Bootstrap.Mean(diff, r.Resamples, r.Seed);
        AnsiConsole.WriteLine($"checker score of {prompts.Count} colour-naming prompts x {sampler.ImagesPerPrompt} images: base {b}, with adapters {a}, " +
                              $"change {d} (target |change| <= 0.02); gate sent {routes.Count(x => x.IsIdentity)}/{routes.Length} of them to identity");
    }

    /// <summary>Routing rates on larger caption sets (gate only, no images).</summary>
    private static void GateRates(BiasAdapterAttachment attached, EvalRequest r)
    {
        var named = new ToyDataset(new ToyDatasetOptions { ColorMentionRate = 1 }, r.Seed + 17).Take(r.GatePrompts).Select(s => s.Caption).ToList();
        var unnamed = new ToyDataset(new ToyDatasetOptions { ColorMentionRate = 0 }, r.Seed + 18).Take(r.GatePrompts).Select(s => s.Caption).ToList();
        var rn = attached.Route(named);
        var ru = attached.Route(unnamed);
        AnsiConsole.WriteLine($"gate on {named.Count} colour-naming toy captions (all phrasings and shapes): {rn.Count(x => x.IsIdentity) / (double)rn.Length:P1} to identity (target >= 95%); " +
                              $"on {unnamed.Count} colourless captions: {ru.Count(x => !x.IsIdentity) / (double)ru.Length:P1} to an expert " +
                              $"(expert 0 {ru.Count(x => x.Expert == 0)}, expert 1 {ru.Count(x => x.Expert == 1)})");
    }

    private static string Format(AttributeCounts c, IReadOnlyList<string> classes) =>
        string.Join(" ", classes.Where(k => c.Counts.ContainsKey(k)).Select(k => $"{k}:{c.Counts[k]}")) + (c.Unclassified > 0 ? $" none:{c.Unclassified}" : "");
}
