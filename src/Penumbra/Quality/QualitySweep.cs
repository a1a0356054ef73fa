using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra;
using Penumbra.Imaging;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Reports;
using Penumbra.Toy;
using static TorchSharp.torch;

namespace Penumbra.Quality;

/// <summary>
/// The mid-block bypass measurements on a toy-world model (<c>penumbra quality sweep</c>):
/// <list type="number">
/// <item>every schedule of the grid and g ≡ 1 on the sweep prompts (checker, toy-FID, diversity);</item>
/// <item>the schedule with the lowest toy-FID there ("chosen") against g ≡ 1 on held-out prompts, paired;</item>
/// <item>the red fraction of colourless prompts for g ≡ 1 and the chosen schedule;</item>
/// <item>image-to-image from renders of the sweep prompts' scenes at each strength, with and without the chosen schedule.</item>
/// </list>
/// The chosen schedule becomes the recommended default only if it wins on the held-out prompts; otherwise g ≡ 1.
/// </summary>
public sealed class QualitySweep
{
    private readonly StableDiffusionPipeline pipe;
    private readonly ToyFeatureExtractor features;
    private readonly QualitySweepOptions o;
    private readonly ToyChecker checker = new();
    private readonly (Vector<double> Mean, Matrix<double> Cov) real;

    public QualitySweep(StableDiffusionPipeline pipeline, ToyFeatureExtractor featureExtractor, QualitySweepOptions options)
    {
        options.Validate();
        pipe = pipeline;
        features = featureExtractor;
        o = options;
        var renders = new ToyDataset(new ToyDatasetOptions { ImageSize = pipe.DefaultWidth }, o.RealSeed).Take(o.RealImages)
            .Select(s => s.Render(pipe.DefaultWidth)).ToList();
        real = FrechetDistance.Fit(features.Features(renders));
    }

    /// <summary>Prompts of a set: captions of the data distribution, or (colourless) captions that state no colour.</summary>
    public IReadOnlyList<ToySample> PromptSet(int count, int seed, bool colourless = false) =>
        new ToyDataset(new ToyDatasetOptions { ImageSize = pipe.DefaultWidth, ColorMentionRate = colourless ? 0 : 0.7 }, seed).Take(count);

    public QualitySweepReport Run(IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        var sweepPrompts = PromptSet(o.Prompts, o.PromptSeed);
        var baseline = BypassSchedule.Identity;
        var grid = new[] { baseline }.Concat(o.Schedules.Select(BypassSchedule.Parse).Where(s => !s.IsIdentity)).ToList();
        var sweep = new List<ConfigResult>();
        var sets = new List<GeneratedSet>();
        foreach (var schedule in grid)
        {
            sets.Add(Generate(sweepPrompts, schedule, null, ct));
            sweep.Add(Score("sweep", schedule, null, sets[^1], out _));
            progress?.Report($"sweep {schedule}: {Describe(sweep[^1])}");
        }
        var checkerVsBaseline = sets.Select(set => PairedCheckerDifference(sets[0], set)).ToList();
        var chosen = BypassSchedule.Parse(sweep[Choose(sweep, checkerVsBaseline)].Schedule);

        var heldOut = PromptSet(o.HeldOutPrompts, o.HeldOutSeed);
        var heldBase = Generate(heldOut, baseline, null, ct);
        var heldBest = chosen.IsIdentity ? heldBase : Generate(heldOut, chosen, null, ct);
        var comparison = Compare(chosen, heldBase, heldBest);
        progress?.Report($"held-out {chosen} vs g=1: toy-FID diff {comparison.ToyFidDifference}, checker diff {comparison.CheckerDifference}");

        var colourless = PromptSet(o.ColourlessPrompts, o.ColourlessSeed, colourless: true);
        var red = new List<RedFractionRow>();
        foreach (var schedule in chosen.IsIdentity ? new[] { baseline } : new[] { baseline, chosen })
        {
            red.Add(RedFraction(schedule, Generate(colourless, schedule, null, ct)));
            progress?.Report($"red fraction {schedule}: {red[^1].RedFraction}");
        }

        var img2img = new List<ConfigResult>();
        foreach (double strength in o.ImageToImageStrengths)
            foreach (var schedule in chosen.IsIdentity ? new[] { baseline } : new[] { baseline, chosen })
            {
                img2img.Add(Score("img2img", schedule, strength, Generate(sweepPrompts, schedule, strength, ct), out _));
                progress?.Report($"img2img {strength} {schedule}: {Describe(img2img[^1])}");
            }

        return new QualitySweepReport(o, pipe.ModelName, sweep, comparison, red, img2img,
            comparison.Wins ? chosen.ToString() : baseline.ToString(), total.Elapsed.TotalSeconds);
    }

    /// <summary>Generates every prompt once per seed (one batched call per seed) with the schedule; with a strength,
    /// image-to-image from renders of the prompts' scenes.</summary>
    public GeneratedSet Generate(IReadOnlyList<ToySample> samples, BypassSchedule schedule, double? strength, CancellationToken ct = default)
    {
        var previous = pipe.Modifier;
        pipe.Modifier = schedule.IsIdentity ? null : new MidBlockBypass(schedule);
        try
        {
            var promptOf = new List<int>();
            var images = new List<RgbImage>();
            var inputs = strength is null ? null : samples.Select(s => s.Render(pipe.DefaultWidth)).ToArray();
            using var inputBatch = inputs is null ? null : ToyImages.ToBatch(inputs);
            foreach (long seed in o.Seeds)
            {
                var options = new GenerationOptions
                {
                    Prompts = samples.Select(s => s.Caption).ToArray(), Steps = o.Steps, GuidanceScale = o.GuidanceScale, Seed = seed,
                    CancellationToken = ct,
                };
                using var result = strength is { } s
                    ? new StableDiffusionImg2ImgPipeline(pipe).Generate(new ImageToImageOptions { Generation = options, Images = inputBatch!, Strength = s },
                        pipe.CreateScheduler(o.Scheduler))
                    : pipe.Generate(options, pipe.CreateScheduler(o.Scheduler));
                images.AddRange(result.Images);
                promptOf.AddRange(Enumerable.Range(0, samples.Count));
            }
            var rows = promptOf.ToArray();
            var checks = images.Select((im, r) => checker.Check(im, samples[rows[r]].Caption)).ToArray();
            var distance = inputs is null ? null : images.Select((im, r) => GeneratedSet.Rms(im, inputs[rows[r]])).ToArray();
            return new GeneratedSet(samples, rows, images.ToArray(), checks, features.Features(images), distance);
        }
        finally
        {
            pipe.Modifier = previous;
        }
    }

    /// <summary>Toy-FID of the rows of the given prompts (with multiplicity) against the real set.</summary>
    public double ToyFid(GeneratedSet set, int[][] rowsByPrompt, IEnumerable<int> prompts) =>
        FrechetDistance.Compute(FrechetDistance.Fit(prompts.SelectMany(p => rowsByPrompt[p]).Select(r => set.Features[r]).ToList()), real);

    public ConfigResult Score(string promptSet, BypassSchedule schedule, double? strength, GeneratedSet set, out int[][] rowsByPrompt)
    {
        var sw = Stopwatch.StartNew();
        var rows = set.RowsByPrompt();
        rowsByPrompt = rows;
        int n = set.Samples.Count;
        var checkerPerPrompt = rows.Select(r => r.Average(i => set.Checks[i].Score)).ToArray();
        var diversity = rows.Select(r => MeanPairwise(r.Select(i => set.Images[i]).ToArray())).ToArray();
        var checkerInterval = Bootstrap.Mean(checkerPerPrompt, o.Resamples, o.BootstrapSeed);
        var fid = Bootstrap.Percentile(n, idx => ToyFid(set, rows, idx), o.Resamples, o.BootstrapSeed);
        var div = Bootstrap.Mean(diversity, o.Resamples, o.BootstrapSeed);
        Interval? distance = set.InputDistance is { } d
            ? Bootstrap.Mean(rows.Select(r => r.Average(i => d[i])).ToArray(), o.Resamples, o.BootstrapSeed)
            : null;
        return new ConfigResult(promptSet, schedule.ToString(), strength, checkerInterval, fid, div, distance, sw.Elapsed.TotalSeconds);
    }

    public HeldOutComparison Compare(BypassSchedule chosen, GeneratedSet baseline, GeneratedSet candidate)
    {
        var baseResult = Score("held-out", BypassSchedule.Identity, null, baseline, out var rows);
        var candResult = ReferenceEquals(baseline, candidate) ? baseResult : Score("held-out", chosen, null, candidate, out _);
        int n = baseline.Samples.Count;
        var fidDiff = Bootstrap.Percentile(n, idx => ToyFid(candidate, rows, idx) - ToyFid(baseline, rows, idx), o.Resamples, o.BootstrapSeed);
        var checker = PairedCheckerDifference(baseline, candidate);
        bool wins = !chosen.IsIdentity && fidDiff.Upper < 0 && !(checker.Upper < 0);
        return new HeldOutComparison(chosen.ToString(), baseResult, candResult, fidDiff, checker, wins);
    }

    /// <summary>Mean over prompts of the candidate's checker score minus the baseline's (same prompts and seeds, so the
    /// rows pair up), with a percentile-bootstrap interval over prompts.</summary>
    public Interval PairedCheckerDifference(GeneratedSet baseline, GeneratedSet candidate)
    {
        var rows = baseline.RowsByPrompt();
        var perPrompt = rows.Select(r => r.Average(i => candidate.Checks[i].Score - baseline.Checks[i].Score)).ToArray();
        return Bootstrap.Mean(perPrompt, o.Resamples, o.BootstrapSeed);
    }

    /// <summary>The selection rule of the sweep: among the schedules whose checker score is not below g ≡ 1's (the upper
    /// bound of the paired difference's interval is ≥ 0; g ≡ 1 itself, entry 0, always qualifies), the lowest toy-FID.
    /// A lower toy-FID bought with a worse checker score does not count as better quality.</summary>
    public static int Choose(IReadOnlyList<ConfigResult> sweep, IReadOnlyList<Interval> checkerVsBaseline) =>
        Enumerable.Range(0, sweep.Count).Where(i => i == 0 || checkerVsBaseline[i].Upper >= 0).MinBy(i => sweep[i].ToyFid.Estimate);

    public RedFractionRow RedFraction(BypassSchedule schedule, GeneratedSet set)
    {
        var rows = set.RowsByPrompt();
        var found = rows.Select(r => r.Count(i => set.Checks[i].Detected.Found)).ToArray();
        var reds = rows.Select(r => r.Count(i => set.Checks[i].Detected.Found && set.Checks[i].Detected.Color == ToyColor.Red)).ToArray();
        var interval = Bootstrap.Percentile(rows.Length, idx =>
        {
            double f = idx.Sum(p => found[p]);
            return f == 0 ? double.NaN : idx.Sum(p => reds[p]) / f;
        }, o.Resamples, o.BootstrapSeed);
        return new RedFractionRow(schedule.ToString(), interval, found.Sum(), set.Images.Length);
    }

    private static double MeanPairwise(RgbImage[] images)
    {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < images.Length; i++)
            for (int j = i + 1; j < images.Length; j++, pairs++)
                sum += GeneratedSet.Rms(images[i], images[j]);
        return pairs == 0 ? double.NaN : sum / pairs;
    }

    private static string Describe(ConfigResult r) =>
        $"checker {r.Checker}, toy-FID {r.ToyFid.Format(2)}, diversity {r.Diversity}" + (r.InputDistance is { } d ? $", distance to input {d}" : "");
}
