using Penumbra.Configs;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Training;

public class DiffusionTrainerTests
{
    private static UNet2DConditionModel TinyUnet(int seed)
    {
        manual_seed(seed);
        return new UNet2DConditionModel(new UNet2DConditionConfig
        {
            SampleSize = 8, InChannels = 3, OutChannels = 3, BlockOutChannels = new[] { 8, 16 },
            DownBlockTypes = new[] { "CrossAttnDownBlock2D", "DownBlock2D" }, UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D" },
            LayersPerBlock = 1, CrossAttentionDim = 8, AttentionHeadDim = 2, NormNumGroups = 4,
        });
    }

    private static readonly SchedulerConfig Schedule = ConfigJson.Parse<SchedulerConfig>(
        """{"_class_name": "DDPMScheduler", "num_train_timesteps": 1000, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012}""");

    // Two captions with two fixed images; the embedding of a caption is a fixed vector per caption.
    private static Tensor Encode(IReadOnlyList<string> captions) =>
        stack(captions.Select(c => full(new long[] { 4, 8 }, c == "" ? 0f : c == "left" ? 1f : -1f)).ToArray());

    private static TrainingBatch Batch(int step, Generator g)
    {
        var img = zeros(4, 3, 8, 8);
        var captions = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            bool left = (step + i) % 2 == 0;
            img[i, .., .., left ? TensorIndex.Slice(0, 4) : TensorIndex.Slice(4, 8)] = tensor(1f);
            captions.Add(left ? "left" : "right");
        }
        return new TrainingBatch(img * 2 - 1, captions);
    }

    [Fact]
    public void ShortRunLowersTheLoss()
    {
        using var unet = TinyUnet(1);
        var trainer = new DiffusionTrainer(unet, Schedule, Encode, new DiffusionTrainingOptions
        {
            Steps = 60, BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 5, Seed = 3, CaptionDropout = 0,
        });
        var losses = trainer.Train(Batch);
        double first = losses.Take(10).Average(), last = losses.Skip(50).Average();
        Assert.True(last < 0.8 * first, $"loss did not fall: first 10 steps {first:F4}, last 10 {last:F4}");
    }

    [Fact]
    public void ANonFiniteGradientStopsTrainingWithoutTouchingTheWeightsOrTheCheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-diverge-").FullName;
        try
        {
            using var unet = TinyUnet(4);
            var options = new DiffusionTrainingOptions { Steps = 4, BatchSize = 4, WarmupSteps = 1, Seed = 3, CheckpointEvery = 1, CheckpointDirectory = dir };
            // Steps 1 and 2 are normal; step 3 sees an image with a NaN pixel, so loss and gradient are NaN.
            TrainingBatch Poisoned(int step, Generator g)
            {
                var batch = Batch(step, g);
                if (step == 2) batch.Samples[0, 0, 0, 0] = tensor(float.NaN);
                return batch;
            }
            var trainer = new DiffusionTrainer(unet, Schedule, Encode, options);
            var error = Assert.Throws<TrainingDivergedException>(() => trainer.Train(Poisoned));
            Assert.Equal(3, error.Step);
            Assert.Contains(dir, error.Message);
            Assert.Equal("2", File.ReadAllText(Path.Combine(dir, TrainingCheckpoint.StepFile)).Trim());
            Assert.All(unet.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
            // The weights in memory are those of the step-2 checkpoint (the NaN step was not applied).
            using var reloaded = TinyUnet(9);
            new DiffusionTrainer(reloaded, Schedule, Encode, options with { Steps = 2 }).Train(Batch);
            var expected = reloaded.state_dict();
            Assert.All(unet.state_dict(), kv => Assert.True(kv.Value.eq(expected[kv.Key]).all().item<bool>(), kv.Key));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.9)]
    public void ResumedRunEqualsUninterruptedRun(double? ema)
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-train-").FullName;
        try
        {
            var options = new DiffusionTrainingOptions { Steps = 6, BatchSize = 4, WarmupSteps = 2, Seed = 9, CheckpointEvery = 3, EmaDecay = ema };
            using var straight = TinyUnet(2);
            // Copy the initial weights rather than re-seeding: other tests draw from the global RNG in parallel.
            var initial = straight.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            new DiffusionTrainer(straight, Schedule, Encode, options).Train(Batch);

            using (var killed = TinyUnet(3))
            {
                killed.load_state_dict(initial);
                Assert.Throws<OperationCanceledException>(() =>
                    new DiffusionTrainer(killed, Schedule, Encode, options with { CheckpointDirectory = dir })
                        .Train((s, g) => s < 4 ? Batch(s, g) : throw new OperationCanceledException("simulated kill at step 5")));
            }

            using var resumed = TinyUnet(7); // another init: the weights must come from the checkpoint (after step 3)
            var losses = new DiffusionTrainer(resumed, Schedule, Encode, options with { CheckpointDirectory = dir }).Train(Batch);
            Assert.Equal(3, losses.Count);
            var a = straight.state_dict();
            var b = resumed.state_dict();
            foreach (var (key, t) in a)
                Assert.True(t.eq(b[key]).all().item<bool>(), $"{key} differs after resume");
        }
        finally { Directory.Delete(dir, true); }
    }
}
