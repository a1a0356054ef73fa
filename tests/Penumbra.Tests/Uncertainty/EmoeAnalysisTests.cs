using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Uncertainty;
using Xunit;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

/// <summary>EMoE's attribution and baselines against direct computations on the fixtures' tiny SegMoE.</summary>
public class EmoeAnalysisTests
{
    private static SegMoePipeline Load() => SegMoePipeline.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));

    [Fact]
    public void WordAttributionEqualsScoringEachReducedPromptAlone()
    {
        using var moe = Load();
        var estimator = new EmoeEstimator(moe);
        var options = new EmoeOptions { Seed = 3 };
        const string prompt = "a big red circle on the left";
        var (full, ranked) = EmoeAttribution.Attribute(estimator, prompt, options);
        using (full)
        {
            var words = prompt.Split(' ');
            Assert.Equal(words.Length, ranked.Count);
            for (int i = 0; i < words.Length; i++)
            {
                string reduced = string.Join(' ', words.Where((_, j) => j != i));
                using var alone = estimator.Score(reduced, options);
                var a = ranked.Single(r => r.Index == i);
                Assert.Equal(words[i], a.Word);
                Assert.Equal(alone.Eu, a.EuWithout, alone.Eu * 1e-4);
                Assert.Equal(full.Eu - alone.Eu, a.Contribution, alone.Eu * 1e-4);
            }
            Assert.Equal(ranked.Select(r => r.Contribution).OrderByDescending(c => c), ranked.Select(r => r.Contribution));
        }
    }

    [Fact]
    public void SeedVarianceIsTheVarianceOfMidBlockOutputsOverSeparateInitialLatents()
    {
        using var moe = Load();
        var estimator = new EmoeEstimator(moe);
        var options = new EmoeOptions { Seed = 5 };
        var prompts = new[] { "a red circle", "a blue square on the right" };
        var batched = estimator.SeedVariance(prompts, options, samples: 3);

        var pipe = moe.Pipeline;
        using var noGrad = no_grad();
        var scheduler = pipe.CreateScheduler();
        scheduler.SetTimesteps(options.NumInferenceSteps);
        double t = scheduler.Timesteps[0].to(ScalarType.Float64).item<double>();
        long h = pipe.DefaultHeight / pipe.VaeScaleFactor, w = pipe.DefaultWidth / pipe.VaeScaleFactor;
        using var generator = new Generator(5, CPU);
        using var noise = pipe.InitialLatents(null, new[] { 3L, moe.Model.Unet.Config.InChannels, h, w }, generator) * scheduler.InitNoiseSigma;
        for (int p = 0; p < prompts.Length; p++)
        {
            using var embeds = pipe.EncodePrompt(new[] { prompts[p] }, null, guidance: false);
            // One forward per initial latent, each alone with the model's own routing.
            var mids = Enumerable.Range(0, 3).Select(k =>
            {
                using var x = scheduler.ScaleModelInput(noise[k].unsqueeze(0), t);
                using var y = moe.Model.Unet.ForwardToMidBlock(x, tensor(t, ScalarType.Float64), embeds.Conditional);
                return y.flatten().to(ScalarType.Float64).cpu().data<double>().ToArray();
            }).ToArray();
            double sum = 0;
            for (int d = 0; d < mids[0].Length; d++)
            {
                double mean = (mids[0][d] + mids[1][d] + mids[2][d]) / 3;
                sum += mids.Sum(m => (m[d] - mean) * (m[d] - mean)) / 3; // population variance, the default
            }
            double expected = sum / mids[0].Length;
            Assert.Equal(expected, batched[p], expected * 1e-4);
        }
    }

    [Fact]
    public void EmbeddingDistanceIsCosineDistanceToTheNearestReferencePrompt()
    {
        using var moe = Load();
        var reference = new[] { "a red circle", "a green triangle at the top" };
        using var distance = new PromptEmbeddingDistance(moe.Pipeline, reference);
        var prompts = new[] { "a red circle", "a blue square on the right" };
        var got = distance.Distance(prompts);
        Assert.Equal(0.0, got[0], 1e-9);

        double[] MeanEmbedding(string prompt)
        {
            using var e = moe.Pipeline.EncodePrompt(new[] { prompt }, null, guidance: false);
            int n = e.TokenCounts[0];
            var states = e.Conditional[0].to(ScalarType.Float64).cpu();
            long dim = states.shape[1];
            var data = states.data<double>().ToArray();
            return Enumerable.Range(0, (int)dim).Select(d => Enumerable.Range(0, n).Average(i => data[i * dim + d])).ToArray();
        }
        double Cosine(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum() / Math.Sqrt(a.Sum(x => x * x) * b.Sum(x => x * x));
        var q = MeanEmbedding(prompts[1]);
        double expected = 1 - reference.Max(r => Cosine(q, MeanEmbedding(r)));
        Assert.Equal(expected, got[1], 1e-9);
        Assert.True(got[1] > 0);
    }
}
