using Penumbra.Classifiers;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using Penumbra.Reports;
using Penumbra.Tests.Support;
using Penumbra.Toy;

namespace Penumbra.Tests.Quality;

/// <summary>The sweep's numbers recomputed by hand from images generated straight through the pipeline.</summary>
public class QualitySweepTests
{
    private static readonly QualitySweepOptions Small = new()
    {
        Schedules = new[] { "const:0" }, ImageToImageStrengths = new[] { 0.6 }, Seeds = new long[] { 4, 5 }, Prompts = 3,
        HeldOutPrompts = 3, ColourlessPrompts = 3, RealImages = 40, Steps = 3, Resamples = 50,
    };

    private static ToyFeatureExtractor UntrainedExtractor()
    {
        var cnn = new ToyShapeCnn(new ToyShapeCnnConfig());
        cnn.ResetParameters(7);
        cnn.eval();
        return new ToyFeatureExtractor(cnn);
    }

    [Fact]
    public void ScoresMatchAHandComputationOnTheBundledToyModel()
    {
        using var moe = SegMoePipeline.FromPretrained(Path.Combine(Fixtures.RepoRoot, "models", "toy-segmoe"));
        var pipe = moe.Pipeline;
        using var extractor = UntrainedExtractor();
        var sweep = new QualitySweep(pipe, extractor, Small);
        var prompts = sweep.PromptSet(3, 11);
        var schedule = BypassSchedule.Parse("window:0@0-0.5");
        var set = sweep.Generate(prompts, schedule, null);
        var result = sweep.Score("t", schedule, null, set, out _);

        // By hand: the same calls with the modifier set directly, checked with a fresh checker.
        pipe.Modifier = new MidBlockBypass(schedule);
        var checker = new ToyChecker();
        var scores = new List<double>();
        var images = new List<Penumbra.Imaging.RgbImage>();
        foreach (long seed in Small.Seeds)
        {
            using var r = pipe.Generate(new GenerationOptions { Prompts = prompts.Select(p => p.Caption).ToArray(), Steps = 3, Seed = seed });
            images.AddRange(r.Images);
            scores.AddRange(r.Images.Select((im, i) => checker.Check(im, prompts[i].Caption).Score));
        }
        pipe.Modifier = null;
        Assert.Equal(images.Select(i => i.Rgb), set.Images.Select(i => i.Rgb));
        Assert.Equal(scores.Average(), result.Checker.Estimate, 1e-12); // equal prompt counts per seed: mean of prompt means = mean
        // Diversity of prompt 0: its two images (seed 4 and 5) at rows 0 and 3.
        double expectedDiversity = Enumerable.Range(0, 3).Average(p => GeneratedSet.Rms(images[p], images[p + 3]));
        Assert.Equal(expectedDiversity, result.Diversity.Estimate, 1e-12);
        Assert.True(result.ToyFid.Lower <= result.ToyFid.Estimate + 1e-9 || double.IsNaN(result.ToyFid.Lower));

        var red = sweep.RedFraction(schedule, set);
        int found = set.Checks.Count(c => c.Detected.Found), reds = set.Checks.Count(c => c.Detected.Found && c.Detected.Color == ToyColor.Red);
        Assert.Equal(found, red.Found);
        if (found > 0) Assert.Equal((double)reds / found, red.RedFraction.Estimate, 1e-12);
    }

    [Fact]
    public void WholeRunProducesEveryTable()
    {
        using var moe = SegMoePipeline.FromPretrained(Path.Combine(Fixtures.RepoRoot, "models", "toy-segmoe"));
        using var extractor = UntrainedExtractor();
        var report = new QualitySweep(moe.Pipeline, extractor, Small).Run();
        Assert.Equal(new[] { "const:1", "const:0" }, report.Sweep.Select(r => r.Schedule));
        Assert.Equal(report.HeldOut.Chosen == "const:1" ? 1 : 2, report.ImageToImage.Count);
        Assert.All(report.ImageToImage, r => Assert.NotNull(r.InputDistance));
        Assert.Equal(report.HeldOut.Wins ? report.HeldOut.Chosen : "const:1", report.RecommendedDefault);
        var md = report.ToMarkdown();
        Assert.Contains("### Red fraction", md);
        Assert.Contains("| `const:1` |", md);
    }

    [Theory]
    [InlineData("bogus:1", "unknown family")]
    public void BadScheduleInTheGridIsOneError(string spec, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => (Small with { Schedules = new[] { spec } }).Validate());
        Assert.Contains(expected, e.Message);
        Assert.Throws<ArgumentException>(() => (Small with { Seeds = new long[] { 1 } }).Validate());
    }

    [Fact]
    public void TheChosenScheduleHasTheLowestToyFidAmongThoseNotWorseOnTheChecker()
    {
        static ConfigResult Result(string schedule, double fid) =>
            new("sweep", schedule, null, new Interval(0.9, 0.8, 1.0), new Interval(fid, fid - 1, fid + 1), new Interval(0, 0, 0), null, 0);
        var sweep = new[] { Result("const:1", 13.4), Result("const:0", 9.0), Result("ramp:0->1", 11.6), Result("const:0.5", 12.0) };
        // const:0 has the lowest toy-FID but a checker score clearly below g = 1's; ramp is not worse (interval reaches 0).
        var checker = new[] { new Interval(0, 0, 0), new Interval(-0.2, -0.3, -0.1), new Interval(0.01, -0.02, 0.04), new Interval(0, -0.01, 0.01) };
        Assert.Equal(2, QualitySweep.Choose(sweep, checker));
        // When every bypass is worse on the checker, g = 1 stays.
        var allWorse = new[] { new Interval(0, 0, 0), new Interval(-0.2, -0.3, -0.1), new Interval(-0.1, -0.2, -0.01), new Interval(-0.1, -0.2, -0.05) };
        Assert.Equal(0, QualitySweep.Choose(sweep, allWorse));
    }
}
