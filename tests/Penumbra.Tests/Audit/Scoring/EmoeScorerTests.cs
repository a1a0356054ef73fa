using Penumbra.Audit;
using Penumbra.Audit.Scoring;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Tests.Support;
using Penumbra.Uncertainty;
using Xunit.Abstractions;

namespace Penumbra.Tests.Audit.Scoring;

/// <summary>The EMoE audit scorer on <c>moe/tiny-segmoe</c> with <c>tiny-clip</c> judging the images.</summary>
public class EmoeScorerTests(ITestOutputHelper output)
{
    private static string ModelFolder => Fixtures.Path("moe", "tiny-segmoe");

    private static readonly EmoeScorerOptions Options = new() { ImageSteps = 3 };

    private static ScoringRequest Request(string text, long seed, int images) => new(PromptRecord.Create(text, text), seed, images);

    [Fact]
    public void ScoresAreTheEstimatorsForEachSeedOfAMixedBatch()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        using var scorer = new EmoeScorer(moe, "tiny-segmoe", "test", Options, ownsModel: false);
        var batch = new[] { Request("a red circle", 3, 0), Request("a blue square on a table", 5, 0), Request("a cat", 3, 0) };
        var results = scorer.Score(batch, CancellationToken.None);
        var estimator = new EmoeEstimator(moe);
        for (int i = 0; i < batch.Length; i++)
        {
            using var alone = estimator.Score(batch[i].Prompt.Text, new EmoeOptions { Seed = batch[i].Seed });
            var s = results[i].Scores;
            output.WriteLine($"{batch[i].Prompt.Text} seed {batch[i].Seed}: eu {s["eu"]:E6} alone {alone.Eu:E6}");
            Assert.Equal(alone.Eu, s[EmoeScorer.Eu], alone.Eu * 1e-5);
            Assert.Equal(alone.RouterEntropy, s[EmoeScorer.RouterEntropy], 1e-6);
            Assert.Equal(alone.TokenLength, s[EmoeScorer.TokenLength]);
            // DECU PaiDE of the same paths, written out: -(1/M) sum_i log[(1/M) sum_j exp(-||p_i - p_j||^2)].
            var paths = alone.PathLatents.to(TorchSharp.torch.ScalarType.Float64).reshape(alone.PathLatents.shape[0], -1);
            int m = (int)paths.shape[0];
            double paide = 0;
            for (int a = 0; a < m; a++)
                paide -= Math.Log(Enumerable.Range(0, m).Sum(b => Math.Exp(-(paths[a] - paths[b]).square().sum().item<double>())) / m) / m;
            Assert.Equal(paide, s[EmoeScorer.Paide], paide * 1e-4);
            // Cosine disagreement written out: mean over pairs of 1 - <p_a, p_b> / (|p_a| |p_b|).
            double cosine = 0;
            for (int a = 0; a < m; a++)
                for (int b = a + 1; b < m; b++)
                    cosine += 1 - (paths[a] * paths[b]).sum().item<double>() / Math.Sqrt(paths[a].square().sum().item<double>() * paths[b].square().sum().item<double>());
            cosine /= m * (m - 1) / 2.0;
            Assert.Equal(cosine, s[CosineDisagreement.Name], Math.Max(cosine * 1e-4, 1e-12));
            // Per-channel normalised variance written out with plain loops over the [M, C, H, W] latent.
            var x = alone.PathLatents.to(TorchSharp.torch.ScalarType.Float64).reshape(m, alone.PathLatents.shape[1], -1).data<double>().ToArray();
            int channels = (int)alone.PathLatents.shape[1], positions = x.Length / (m * channels);
            double ratioSum = 0; int live = 0;
            for (int c = 0; c < channels; c++)
            {
                double V(int path, int pos) => x[(path * channels + c) * positions + pos];
                double between = 0, mean = 0, total = 0;
                for (int q = 0; q < positions; q++)
                {
                    double mu = Enumerable.Range(0, m).Average(r => V(r, q));
                    between += Enumerable.Range(0, m).Average(r => (V(r, q) - mu) * (V(r, q) - mu)) / positions;
                    mean += mu / positions;
                }
                for (int r = 0; r < m; r++) for (int q = 0; q < positions; q++) total += (V(r, q) - mean) * (V(r, q) - mean) / (m * positions);
                if (total > 0) { ratioSum += between / total; live++; }
            }
            double normalised = live == 0 ? 0 : ratioSum / live;
            Assert.Equal(normalised, s[ChannelNormalisedVariance.Name], Math.Max(normalised * 1e-4, 1e-12));
            // The caption's effect against the empty prompt's paths at the same seed, written out: d_i = p_i - e_i,
            // share = sum_i |d_i - mean d|^2 / sum_i |d_i|^2, size = -(1/(M D)) sum_i |d_i|^2.
            using var empty = estimator.Score("", new EmoeOptions { Seed = batch[i].Seed });
            var e = empty.PathLatents.to(TorchSharp.torch.ScalarType.Float64).reshape(m, -1).data<double>().ToArray();
            var p = paths.data<double>().ToArray();
            int d = p.Length / m;
            double spread = 0, moved = 0;
            for (int q = 0; q < d; q++)
            {
                double meanMove = Enumerable.Range(0, m).Average(r => p[r * d + q] - e[r * d + q]);
                for (int r = 0; r < m; r++)
                {
                    double move = p[r * d + q] - e[r * d + q];
                    spread += (move - meanMove) * (move - meanMove);
                    moved += move * move;
                }
            }
            Assert.Equal(spread / moved, s[CaptionEffectDisagreement.Name], 1e-4);
            Assert.Equal(-moved / (m * d), s[CaptionEffectDisagreement.NegativeSizeName], moved / (m * d) * 1e-4);
            Assert.Empty(results[i].Images);
        }
        Assert.Equal("eu,router_entropy,token_length,decu_paide,cosine_disagreement,channel_normalised_variance,caption_effect_disagreement,negative_caption_effect", scorer.Settings["uncertainty_scores"]);
        Assert.Empty(scorer.AttributeClasses);
        Assert.False(scorer.Settings.ContainsKey("judge"));
    }

    [Fact]
    public void LatentAndStepOptionsReachTheEstimator()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        using var scorer = new EmoeScorer(moe, "tiny-segmoe", "test", Options with { Latent = EmoeLatent.Z, StepIndex = 2 }, ownsModel: false);
        var batch = new[] { Request("a red circle", 3, 0), Request("a cat", 4, 0) };
        var results = scorer.Score(batch, CancellationToken.None);
        var estimator = new EmoeEstimator(moe);
        for (int i = 0; i < batch.Length; i++)
        {
            using var alone = estimator.Score(batch[i].Prompt.Text, new EmoeOptions { Seed = batch[i].Seed, Latent = EmoeLatent.Z, StepIndex = 2 });
            Assert.Equal(alone.Eu, results[i].Scores[EmoeScorer.Eu], alone.Eu * 1e-5);
        }
        Assert.Equal("z", scorer.Settings["emoe_latent"]);
        Assert.Equal("2", scorer.Settings["emoe_step_index"]);
        Assert.Throws<ArgumentException>(() => new EmoeScorer(moe, "tiny-segmoe", "test", Options with { StepIndex = 25 }, ownsModel: false));
    }

    [Fact]
    public void OptionalBaselinesAreTheEstimatorsSeedVarianceAndEmbeddingDistance()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var reference = new[] { "a red circle", "a green triangle" };
        using var scorer = new EmoeScorer(moe, "tiny-segmoe", "test", Options with { SeedSamples = 3, ReferencePrompts = reference }, ownsModel: false);
        var batch = new[] { Request("a red circle", 3, 0), Request("a blue square on a table", 3, 0), Request("a cat", 4, 0) };
        var results = scorer.Score(batch, CancellationToken.None);
        var estimator = new EmoeEstimator(moe);
        using var distance = new PromptEmbeddingDistance(moe.Pipeline, reference);
        for (int i = 0; i < batch.Length; i++)
        {
            var s = results[i].Scores;
            double seedVariance = estimator.SeedVariance(new[] { batch[i].Prompt.Text }, new EmoeOptions { Seed = batch[i].Seed }, 3)[0];
            Assert.Equal(seedVariance, s[EmoeScorer.SeedVariance], seedVariance * 1e-4);
            Assert.Equal(distance.Distance(new[] { batch[i].Prompt.Text })[0], s[EmoeScorer.EmbeddingDistance], 1e-9);
        }
        Assert.Equal(0.0, results[0].Scores[EmoeScorer.EmbeddingDistance], 1e-9);
        Assert.Equal("eu,router_entropy,token_length,decu_paide,cosine_disagreement,channel_normalised_variance,caption_effect_disagreement,negative_caption_effect,seed_variance,embedding_distance", scorer.Settings["uncertainty_scores"]);
        Assert.Equal("3", scorer.Settings["seed_samples"]);
        Assert.Equal("2", scorer.Settings["reference_prompts"]);
    }

    [Fact]
    public void ImagesAreThoseOfSeparateGenerateCallsJudgedByClip()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        using var judge = new ClipImageJudge(Fixtures.Path("tiny-clip"));
        using var scorer = new EmoeScorer(moe, "tiny-segmoe", "test", Options, judge, ownsModel: false);
        var batch = new[] { Request("a red circle", 7, 3), Request("a photo of a nurse", 8, 3) };
        var results = scorer.Score(batch, CancellationToken.None);
        for (int i = 0; i < batch.Length; i++)
        {
            using var alone = moe.Pipeline.Generate(new GenerationOptions
            {
                Prompts = new[] { batch[i].Prompt.Text }, ImagesPerPrompt = 3, Seed = batch[i].Seed, Steps = Options.ImageSteps,
            });
            var images = results[i].Images;
            Assert.Equal(3, images.Count);
            int maxDiff = 0;
            for (int k = 0; k < 3; k++)
                maxDiff = Math.Max(maxDiff, images[k].Image!.Rgb.Zip(alone.Images[k].Rgb, (a, b) => Math.Abs(a - b)).Max());
            output.WriteLine($"prompt {i}: max pixel difference to a separate Generate call {maxDiff}");
            Assert.True(maxDiff <= 1, $"prompt {i}: batched images differ from a separate call by {maxDiff}");

            var expected = judge.Judge(batch[i].Prompt.Text, images.Select(x => x.Image!).ToList());
            Assert.Equal(expected.Select(e => e.Metrics["clip_score"]), images.Select(x => x.Metrics["clip_score"]));
            Assert.Equal(expected.Select(e => e.Attributes["gender"]), images.Select(x => x.Attributes["gender"]));
            Assert.Equal(images.Average(x => x.Metrics["clip_score"]), results[i].Scores["clip_score_mean"], 12);
            Assert.Equal(Ssim.MeanPairwise(images.Select(x => x.Image!).ToList()), results[i].Scores[EmoeScorer.Diversity], 12);
            Assert.NotNull(images[0].UncertaintyMap);
            Assert.Equal((images[0].Image!.Width, images[0].Image!.Height), (images[0].UncertaintyMap!.Width, images[0].UncertaintyMap!.Height));
            Assert.All(images.Skip(1), x => Assert.Null(x.UncertaintyMap));
        }
        Assert.Equal("clip_score", scorer.Settings["quality_metric"]);
        Assert.Equal(new[] { "man", "woman" }, scorer.AttributeClasses["gender"]);
    }
}
