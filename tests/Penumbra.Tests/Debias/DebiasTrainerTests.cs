using Penumbra.Debias;
using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Debias;

public class DebiasTrainerTests
{
    private static readonly string[] Captions = { "a circle", "big square, left", "a ring at the top", "a cross" };

    // Colourless captions with images whose left half is one of two colours: a target the context can help with.
    private static TrainingBatch Batch(int step, Generator _)
    {
        var img = full(new long[] { 4, 3, 8, 8 }, -1f);
        for (int i = 0; i < 4; i++) img[i, (step + i) % 3, .., ..4] = tensor(1f);
        return new TrainingBatch(img, Captions);
    }

    private static double HeldLoss(BiasAdapterAttachment attached, Penumbra.Models.Unets.UNet2DConditionModel unet)
    {
        using var noGrad = no_grad();
        using var g = new Generator(99);
        var noise = Penumbra.Schedulers.SchedulerFactory.Create("ddpm", DebiasTestModels.Schedule);
        double total = 0;
        for (int k = 0; k < 4; k++)
        {
            using var batch = Batch(k, g);
            total += EpsilonLoss.Compute(unet, noise, batch.Samples, attached.Encode(batch.Captions), g).item<float>();
        }
        return total / 4;
    }

    private static Dictionary<string, Tensor> Frozen(Penumbra.Models.Unets.UNet2DConditionModel unet, Penumbra.Models.Clip.ClipTextModel encoder) =>
        unet.state_dict().Select(kv => ("unet." + kv.Key, kv.Value)).Concat(encoder.state_dict().Select(kv => ("text_encoder." + kv.Key, kv.Value)))
            .ToDictionary(x => x.Item1, x => x.Item2);

    [Fact]
    public void OneStepChangesOnlyTheAdaptersAndTheTokenRow()
    {
        var tokenizer = DebiasTestModels.Tokenizer();
        using var encoder = DebiasTestModels.TextEncoder();
        using var unet = DebiasTestModels.Unet();
        using var mixture = DebiasTestModels.Mixture(encoder, tokenizer);
        using var attached = mixture.Attach(encoder, tokenizer);
        var frozenBefore = Frozen(unet, encoder).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var adaptersBefore = mixture.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var trainer = new DebiasTrainer(attached, unet, null, DebiasTestModels.Schedule,
            new DiffusionTrainingOptions { Steps = 1, BatchSize = 4, LearningRate = 1e-2, WarmupSteps = 1, CaptionDropout = 0 });
        trainer.Train(Batch);
        var frozenAfter = Frozen(unet, encoder);
        Assert.Equal(frozenBefore.Count, frozenAfter.Count);
        foreach (var (k, v) in frozenBefore) Assert.True(DebiasTestModels.Same(v, frozenAfter[k]), $"frozen parameter {k} changed");
        Assert.All(unet.parameters().Concat(encoder.parameters()), p => Assert.Null(p.grad));
        var changed = mixture.state_dict().Where(kv => !DebiasTestModels.Same(adaptersBefore[kv.Key], kv.Value)).Select(kv => kv.Key).ToList();
        Assert.Contains("special_token", changed);
        Assert.Contains(changed, k => k.EndsWith("up.weight"));
        var used = attached.Route(Captions).Select(d => d.Expert).ToHashSet();
        for (int e = 0; e < mixture.ExpertCount; e++)
            Assert.Equal(used.Contains(e), changed.Any(k => k.StartsWith($"experts.{e}.")));   // an expert no caption was routed to keeps its weights
    }

    [Fact]
    public void ShortRunLowersTheLossAndResumes()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-debias-train-").FullName;
        try
        {
            var tokenizer = DebiasTestModels.Tokenizer();
            using var encoder = DebiasTestModels.TextEncoder();
            using var unet = DebiasTestModels.Unet();
            using var mixture = DebiasTestModels.Mixture(encoder, tokenizer, DebiasTestModels.Config(rank: 8) with { Experts = 1 });
            using var attached = mixture.Attach(encoder, tokenizer);
            double before = HeldLoss(attached, unet);
            var options = new DiffusionTrainingOptions { Steps = 30, BatchSize = 4, LearningRate = 3e-2, WarmupSteps = 3, CaptionDropout = 0, CheckpointDirectory = dir, CheckpointEvery = 10 };
            var losses = new DebiasTrainer(attached, unet, null, DebiasTestModels.Schedule, options).Train(Batch);
            Assert.Equal(30, losses.Count);
            double after = HeldLoss(attached, unet);
            Assert.True(after < 0.98 * before, $"held-out loss did not fall: {before:F5} -> {after:F5}");
            // A finished checkpoint resumes at its last step: nothing left to run.
            Assert.Empty(new DebiasTrainer(attached, unet, null, DebiasTestModels.Schedule, options).Train(Batch));
            Assert.Equal("30", File.ReadAllText(Path.Combine(dir, TrainingCheckpoint.StepFile)));
        }
        finally { Directory.Delete(dir, true); }
    }
}
