using Penumbra.Models.Common;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Uncertainty;
using Xunit;
using Xunit.Abstractions;
using static Penumbra.Tests.Uncertainty.EmoePropertyTests;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

/// <summary>EMoE's latent choices (m_pre, z), a later step and EU + image on <c>moe/tiny-segmoe</c>: every path latent is
/// recomputed here one path at a time with plain forwards, fresh schedulers and the pipeline's own generation, with the
/// routing of each path written out from emoe.json's module lists.</summary>
public class EmoeLatentAndStepTests(ITestOutputHelper output)
{
    private const double PathTolerance = 1e-5;

    [Fact]
    public void MPreIsTheMidBlockInputOfEachPathRunAlone()
    {
        var (prompt, seed) = Cases()[0];
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var estimator = new EmoeEstimator(moe);
        using var result = estimator.Score(prompt, new EmoeOptions { Seed = seed, Latent = EmoeLatent.MPre });
        Assert.Equal(EmoeLatent.MPre, result.Latent);
        var (latents, t, text) = Inputs(moe, prompt, seed);
        var paths = new List<Tensor>();
        for (int p = 0; p < estimator.NumPaths; p++)
            using (RouteOnePath(moe.Model, p, EmoeMode.Expert))
            {
                Tensor? input = null;
                using var taps = new ModuleTaps(moe.Model.Unet).Observe("mid_block", e => input = e.Input!.clone().DetachFromDisposeScope());
                using var mid = moe.Model.Unet.ForwardToMidBlock(latents, tensor(t, ScalarType.Float64), text);
                Assert.True(MaxAbs(result.PathLatents[p], input![0]) <= PathTolerance, $"path {p}");
                paths.Add(input[0]);
            }
        double eu = PopulationVarianceMean(paths);
        output.WriteLine($"m_pre: eu {result.Eu:E6}, from single paths {eu:E6}");
        Assert.True(Math.Abs(result.Eu - eu) <= 1e-5 * eu);
        using var mPost = estimator.Score(prompt, new EmoeOptions { Seed = seed });
        Assert.NotEqual(mPost.PathLatents.shape[1] == result.PathLatents.shape[1] ? mPost.Eu : double.NaN, result.Eu);
    }

    [Fact]
    public void ScoreAtAnotherImageSizeUsesALatentOfThatSize()
    {
        var (prompt, seed) = Cases()[0];
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var pipe = moe.Pipeline;
        int height = pipe.DefaultHeight + 2 * pipe.VaeScaleFactor * 4, width = pipe.DefaultWidth + pipe.VaeScaleFactor * 4;
        var estimator = new EmoeEstimator(moe);
        using var result = estimator.Score(prompt, new EmoeOptions { Seed = seed, Height = height, Width = width });
        var (latents, t, text) = Inputs(moe, prompt, seed, height, width);
        for (int p = 0; p < estimator.NumPaths; p++)
            using (RouteOnePath(moe.Model, p, EmoeMode.Expert))
            {
                using var mid = moe.Model.Unet.ForwardToMidBlock(latents, tensor(t, ScalarType.Float64), text);
                Assert.True(MaxAbs(result.PathLatents[p], mid[0]) <= PathTolerance, $"path {p}");
            }
        var error = Assert.Throws<ArgumentException>(() => estimator.Score(prompt, new EmoeOptions { Height = pipe.VaeScaleFactor + 1 }));
        Assert.Contains("multiples", error.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void ZIsOneFreshSchedulerStepWithEachPathsNoisePrediction(double guidance)
    {
        var (prompt, seed) = Cases()[1];
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var pipe = moe.Pipeline;
        var estimator = new EmoeEstimator(moe);
        using var result = estimator.Score(prompt, new EmoeOptions { Seed = seed, Latent = EmoeLatent.Z, GuidanceScale = guidance });
        var (input, t, text) = Inputs(moe, prompt, seed);
        using var embeds = pipe.EncodePrompt(new[] { prompt }, null, guidance: true);
        var paths = new List<Tensor>();
        for (int p = 0; p < estimator.NumPaths; p++)
        {
            Tensor eps;
            using (RouteOnePath(moe.Model, p, EmoeMode.Expert))
            {
                if (guidance > 1)
                {
                    // [uncond, cond] of the path in one call, routed together before the split as segmoe routes a prompt.
                    var both = moe.Model.Unet.Forward(cat(new[] { input, input }, 0), t, cat(new[] { embeds.Unconditional!, text }, 0));
                    eps = both[0] + guidance * (both[1] - both[0]);
                    eps = eps.unsqueeze(0);
                }
                else eps = moe.Model.Unet.Forward(input, t, text);
            }
            using var scheduler = pipe.CreateScheduler();
            scheduler.SetTimesteps(25);
            var generator = new Generator((ulong)seed, CPU);
            var shape = new long[] { 1, pipe.Unet.Config.InChannels, pipe.DefaultHeight / pipe.VaeScaleFactor, pipe.DefaultWidth / pipe.VaeScaleFactor };
            var noise = randn(shape, generator: generator) * scheduler.InitNoiseSigma;
            var z = scheduler.Step(eps, t, noise, generator).PrevSample;
            Assert.True(MaxAbs(result.PathLatents[p], z[0]) <= PathTolerance, $"guidance {guidance}: path {p}");
            paths.Add(z[0]);
        }
        double eu = PopulationVarianceMean(paths);
        output.WriteLine($"z, guidance {guidance}: eu {result.Eu:E6}, from single paths {eu:E6}");
        Assert.True(Math.Abs(result.Eu - eu) <= 1e-5 * eu);
    }

    [Fact]
    public void LaterStepScoresTheUnguidedGenerationsLatentAtThatStep()
    {
        const int step = 3;
        using var noGrad = no_grad();
        var cases = Cases();
        long seed = cases[0].Seed;
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var pipe = moe.Pipeline;
        var estimator = new EmoeEstimator(moe);
        var prompts = cases.Select(c => c.Prompt).Take(2).ToArray();
        var batch = estimator.Score(prompts, new EmoeOptions { Seed = seed, StepIndex = step });
        using var timestepsScheduler = pipe.CreateScheduler();
        timestepsScheduler.SetTimesteps(25);
        double t = timestepsScheduler.Timesteps[step].to(ScalarType.Float64).item<double>();
        for (int i = 0; i < prompts.Length; i++)
        {
            Tensor? reached = null;
            using (pipe.Generate(new GenerationOptions
            {
                Prompts = new[] { prompts[i] }, Steps = 25, GuidanceScale = 1, Seed = seed, Decode = false,
                OnStep = s => { if (s.Step == step - 1) reached = s.Latents.clone().DetachFromDisposeScope(); },
            })) { }
            Assert.Equal(t, batch[i].Timestep);
            using var embeds = pipe.EncodePrompt(new[] { prompts[i] }, null, guidance: false);
            var input = timestepsScheduler.ScaleModelInput(reached!, t);
            var paths = new List<Tensor>();
            for (int p = 0; p < estimator.NumPaths; p++)
                using (RouteOnePath(moe.Model, p, EmoeMode.Expert))
                {
                    var mid = moe.Model.Unet.ForwardToMidBlock(input, tensor(t, ScalarType.Float64), embeds.Conditional);
                    Assert.True(MaxAbs(batch[i].PathLatents[p], mid[0]) <= PathTolerance, $"prompt {i} path {p}");
                    paths.Add(mid[0]);
                }
            double eu = PopulationVarianceMean(paths);
            output.WriteLine($"step {step} (t = {t}): prompt {i} eu {batch[i].Eu:E6}, from the generation's latent {eu:E6}");
            Assert.True(Math.Abs(batch[i].Eu - eu) <= 1e-5 * eu);
            batch[i].Dispose();
        }
        var error = Assert.Throws<ArgumentException>(() => estimator.Score(prompts[0], new EmoeOptions { StepIndex = 25 }));
        Assert.Contains("step index 25", error.Message);
    }

    [Theory]
    [InlineData(EmoeLatent.MPost)]
    [InlineData(EmoeLatent.MPre)]
    public void EuWithImageEqualsTheScoreAndTheNormalGeneration(EmoeLatent latent)
    {
        var (prompt, seed) = Cases()[2];
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var estimator = new EmoeEstimator(moe);
        var options = new EmoeOptions { Seed = seed, Latent = latent };
        using var alone = estimator.Score(prompt, options);
        var (withImage, image) = estimator.ScoreWithImage(prompt, options, guidanceScale: 5.0);
        using var generated = moe.Pipeline.Generate(new GenerationOptions { Prompts = new[] { prompt }, Steps = 25, GuidanceScale = 5.0, Seed = seed });
        var expected = generated.Images[0];
        int worst = expected.Rgb.Zip(image.Rgb, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{latent}: eu {withImage.Eu:E8} vs score alone {alone.Eu:E8}; image max channel difference {worst}/255");
        Assert.True(Math.Abs(withImage.Eu - alone.Eu) <= 1e-5 * alone.Eu, $"eu {withImage.Eu} vs {alone.Eu}");
        Assert.True(MaxAbs(withImage.PathLatents, alone.PathLatents) <= PathTolerance);
        Assert.Equal(alone.RouterEntropy, withImage.RouterEntropy, 9);
        Assert.True(worst <= 1, $"the EU + image image differs from the normal generation by {worst}/255");
        withImage.Dispose();
    }

    private static double PopulationVarianceMean(IReadOnlyList<Tensor> paths)
    {
        using var scope = NewDisposeScope();
        var x = stack(paths.Select(p => p.to(ScalarType.Float64)).ToArray(), 0);
        var mean = x.mean(new long[] { 0 }, keepdim: true);
        return ((x - mean) * (x - mean)).mean(new long[] { 0 }).mean().item<double>();
    }
}
