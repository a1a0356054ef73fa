using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Tests.Support;
using Penumbra.Toy.Models;
using Penumbra.Training;

namespace Penumbra.Tests.Toy;

public class ToyModelBuilderTests
{
    [Fact]
    public void ShortExpertTrainingGivesAPixelSpacePipelineThatGenerates()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-toy-").FullName;
        try
        {
            var builder = new ToyModelBuilder(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));
            using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
            using (var unet = builder.TrainExpert(ToyWorld.Experts[0], textEncoder,
                       new DiffusionTrainingOptions { Steps = 2, BatchSize = 2, WarmupSteps = 1, Seed = 1 }))
                builder.SavePipeline(dir, unet, textEncoder);

            using var pipe = StableDiffusionPipeline.FromPretrained(dir);
            Assert.Null(pipe.Vae);
            Assert.Equal(ToyWorld.ImageSize, pipe.DefaultWidth);
            using var result = pipe.Generate(new GenerationOptions { Prompts = new[] { "a red circle" }, Steps = 2, Seed = 3 });
            Assert.Equal((ToyWorld.ImageSize, ToyWorld.ImageSize), (result.Images[0].Width, result.Images[0].Height));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FineTuningStartsFromTheBaseWeightsNotAFreshInit()
    {
        var builder = new ToyModelBuilder(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var tiny = new DiffusionTrainingOptions { Steps = 1, BatchSize = 2, WarmupSteps = 1, Seed = 1 };
        using var baseUnet = builder.TrainExpert(ToyWorld.Base, textEncoder, tiny);
        // With a zero learning rate AdamW moves nothing (the decoupled decay is lr·wd = 0): the expert must be the base
        // bit for bit, although its own seed would initialise different weights.
        using var expert = builder.TrainExpert(ToyWorld.Experts[1], textEncoder, tiny with { Seed = 2, LearningRate = 0 }, initialWeights: baseUnet);
        using var fresh = builder.TrainExpert(ToyWorld.Experts[1], textEncoder, tiny with { Seed = 2, LearningRate = 0 });
        var b = baseUnet.state_dict();
        Assert.All(expert.state_dict(), kv => Assert.True(kv.Value.eq(b[kv.Key]).all().item<bool>(), kv.Key));
        Assert.Contains(fresh.state_dict(), kv => !kv.Value.eq(b[kv.Key]).all().item<bool>());
    }

    [Theory]
    [InlineData(ToyExpertTraining.Independent)]
    [InlineData(ToyExpertTraining.ExpertLayers)]
    public void ExpertLayerTrainingChangesOnlyTheSegMoeExpertLayersOnTheFrozenTrunk(ToyExpertTraining training)
    {
        var builder = new ToyModelBuilder(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var tiny = new DiffusionTrainingOptions { Steps = 1, BatchSize = 2, WarmupSteps = 1, Seed = 1 };
        using var baseUnet = builder.TrainExpert(ToyWorld.Base, textEncoder, tiny);
        using var expert = builder.TrainExpert(ToyWorld.Experts[0], textEncoder, tiny with { Seed = 2, Steps = 2 }, initialWeights: baseUnet,
            training: training);
        var paths = ToyExpertLayers.Paths(expert);
        // The same modules the SegMoE conversion of the bundled yaml turns into mixtures (moe_layers: all).
        using var moe = Penumbra.MoE.SegMoePipeline.FromPretrained(Path.Combine(Fixtures.RepoRoot, "models", "toy-segmoe"));
        Assert.Equal(moe.Model.Slots.Select(s => s.Path).OrderBy(p => p), paths.OrderBy(p => p));
        var b = baseUnet.state_dict();
        foreach (var (name, tensor) in expert.state_dict())
        {
            bool isExpert = paths.Any(p => name.StartsWith(p + ".", StringComparison.Ordinal));
            bool same = tensor.eq(b[name]).all().item<bool>();
            Assert.True(isExpert != same, $"{name}: expert layer {isExpert}, equal to the base {same}");
        }
    }

    [Fact]
    public void ExpertNoisePerturbsOnlyTheExpertCrossAttentionKeyAndValueWeightsByTheirRms()
    {
        var builder = new ToyModelBuilder(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var tiny = new DiffusionTrainingOptions { Steps = 1, BatchSize = 2, WarmupSteps = 1, Seed = 1 };
        using var baseUnet = builder.TrainExpert(ToyWorld.Base, textEncoder, tiny);
        // Zero learning rate: the expert is the base plus the noise, nothing else.
        var frozen = tiny with { Seed = 2, LearningRate = 0 };
        using var expert = builder.TrainExpert(ToyWorld.Experts[0], textEncoder, frozen, initialWeights: baseUnet, textProjectionNoise: 0.5);
        using var again = builder.TrainExpert(ToyWorld.Experts[0], textEncoder, frozen, initialWeights: baseUnet, textProjectionNoise: 0.5);
        using var other = builder.TrainExpert(ToyWorld.Experts[0], textEncoder, frozen with { Seed = 3 }, initialWeights: baseUnet, textProjectionNoise: 0.5);
        var targets = ToyExpertLayers.Paths(expert).Where(p => p.EndsWith("attn2.to_k") || p.EndsWith("attn2.to_v")).Select(p => p + ".weight").ToHashSet();
        Assert.NotEmpty(targets);
        var b = baseUnet.state_dict();
        var a = again.state_dict();
        var o = other.state_dict();
        foreach (var (name, tensor) in expert.state_dict())
        {
            bool same = tensor.eq(b[name]).all().item<bool>();
            Assert.True(targets.Contains(name) != same, $"{name}: target {targets.Contains(name)}, equal to the base {same}");
            Assert.True(tensor.eq(a[name]).all().item<bool>(), $"{name}: not a function of the seed");
            if (!targets.Contains(name)) continue;
            Assert.False(tensor.eq(o[name]).all().item<bool>(), $"{name}: another seed gave the same noise");
            // The added noise has standard deviation 0.5 x the base weight's rms.
            double rms = b[name].square().mean().sqrt().item<float>();
            double noiseSd = (tensor - b[name]).std().item<float>();
            Assert.InRange(noiseSd / rms, 0.4, 0.6);
        }
    }

    [Fact]
    public void TextEncoderIsAFunctionOfTheSeed()
    {
        using var a = ToyModelBuilder.BuildTextEncoder(4);
        using var b = ToyModelBuilder.BuildTextEncoder(4);
        using var c = ToyModelBuilder.BuildTextEncoder(5);
        var sa = a.state_dict();
        Assert.All(b.state_dict(), kv => Assert.True(kv.Value.eq(sa[kv.Key]).all().item<bool>(), kv.Key));
        Assert.Contains(c.state_dict(), kv => !kv.Value.eq(sa[kv.Key]).all().item<bool>());
        Assert.All(a.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void TokenEmbeddingStdScalesOnlyTheTokenEmbeddingsOfTheSameDraw()
    {
        using var plain = ToyModelBuilder.BuildTextEncoder(4, 16);
        using var scaled = ToyModelBuilder.BuildTextEncoder(4, 16, tokenEmbeddingStd: 0.3);
        var sp = plain.state_dict();
        foreach (var (name, tensor) in scaled.state_dict())
            if (name.Contains("token_embedding"))
            {
                // same generator stream: the scaled draw is the plain one times 0.3 / 0.02 = 15
                Assert.True(tensor.allclose(sp[name] * 15.0, rtol: 1e-5, atol: 1e-6), name);
                Assert.InRange(tensor.std().item<float>(), 0.29, 0.31); // 49,408 x 16 draws
            }
            else Assert.True(tensor.eq(sp[name]).all().item<bool>(), name);
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyModelBuilder.BuildTextEncoder(4, 16, tokenEmbeddingStd: 0));
    }
}
