using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Toy;
using Penumbra.Toy.Models;
using Penumbra.Training;
using static TorchSharp.torch;

namespace Penumbra.Tests.Toy;

[Collection(nameof(GlobalRngCollection))]
public class ToyJointExpertsTests
{
    private static readonly DiffusionTrainingOptions Tiny = new() { Steps = 2, WarmupSteps = 1, Seed = 5 };

    private static ToyModelBuilder Builder() => new(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));

    private static bool Equal(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    [Fact]
    public void ExpertsStartEqualExceptTheirIndependentlyInitialisedTextProjections()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        // A zero learning rate leaves the initialisation in place (AdamW's decoupled decay is lr·wd = 0).
        using var moe = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1, LearningRate = 0 }, 1);
        Assert.Equal(ToyWorld.Experts.Count, moe.NumExperts);
        int textSide = 0;
        foreach (var (path, block) in moe.Blocks)
        {
            bool text = path.EndsWith(".attn2.to_k") || path.EndsWith(".attn2.to_v");
            textSide += text ? 1 : 0;
            var first = block.Expert(0).state_dict();
            for (int e = 1; e < block.NumExperts; e++)
                foreach (var (key, t) in block.Expert(e).state_dict())
                    Assert.True(text != Equal(t, first[key]), $"{path}.experts.{e}.{key}: text side {text}");
            if (!text) continue;
            // nn.Linear's init: every entry inside ±1/√fan_in.
            double bound = 1 / Math.Sqrt(block.InFeatures);
            foreach (var expert in block.Experts)
                Assert.True(expert.parameters().First().abs().max().item<float>() <= bound);
        }
        Assert.Equal(2 * moe.Slots.Select(s => s.TransformerBlock).Distinct().Count(), textSide);
    }

    [Fact]
    public void IndependentFeedForwardsDifferPerExpertWithinTheirLinearInitAndLeaveTheRestAsBefore()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        using var plain = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1, LearningRate = 0 }, 1);
        using var moe = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1, LearningRate = 0 }, 1,
            independentFeedForwards: true);
        var before = plain.Unet.state_dict();
        int feedForwards = 0;
        foreach (var (path, block) in moe.Blocks)
        {
            bool ff = path.EndsWith(".ff");
            feedForwards += ff ? 1 : 0;
            for (int e = 0; e < block.NumExperts; e++)
                foreach (var (key, t) in block.Expert(e).state_dict())
                {
                    // Every other expert layer, and the trunk below, is bit for bit the run without the option.
                    if (!ff) { Assert.True(Equal(t, before[$"{path}.experts.{e}.{key}"]), $"{path}.experts.{e}.{key}"); continue; }
                    if (e > 0) Assert.False(Equal(t, block.Expert(0).state_dict()[key]), $"{path}.experts.{e}.{key} equals expert 0's");
                    // nn.Linear's init: inside ±1/√fan_in, the fan-in of the weight (a bias: of its layer's weight).
                    string weight = key.EndsWith(".bias") ? key[..^".bias".Length] + ".weight" : key;
                    double bound = 1 / Math.Sqrt(block.Expert(e).state_dict()[weight].shape[^1]);
                    Assert.True(t.abs().max().item<float>() <= bound, $"{path}.experts.{e}.{key} outside ±{bound}");
                }
        }
        Assert.Equal(moe.Slots.Select(s => s.TransformerBlock).Distinct().Count(), feedForwards);
        foreach (var (key, t) in moe.Unet.state_dict().Where(kv => !kv.Key.Contains(".experts.")))
            Assert.True(Equal(t, before[key]), key);
    }

    [Fact]
    public void WithAResnetMidBlockEveryTextProjectionIsAnExpertsOwn()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        static string[] TextProjections(SegMoeModel moe) =>
            moe.Unet.state_dict().Keys.Where(k => (k.Contains(".attn2.to_k.") || k.Contains(".attn2.to_v.")) && !k.Contains(".gate.")).ToArray();

        // Bundled layout: the cross-attention mid block reads the text with weights every expert shares.
        using (var bundled = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1 }, 1))
            Assert.Contains(TextProjections(bundled), k => k.StartsWith("mid_block.", StringComparison.Ordinal) && !k.Contains(".experts."));

        using var moe = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1 }, 1,
            midBlockType: "UNetMidBlock2D", crossAttentionLevels: 2);
        Assert.Equal(new[] { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" }, moe.Unet.Config.DownBlockTypes);
        Assert.Equal(new[] { "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D" }, moe.Unet.Config.UpBlockTypes);
        var projections = TextProjections(moe);
        // 2 down blocks × 1 layer + 2 up blocks × 2 layers = 6 transformer blocks, each a to_k and a to_v per expert
        // (the mixtures' gates route, they hold no text projection).
        Assert.Equal(6 * 2 * ToyWorld.Experts.Count, projections.Length);
        Assert.All(projections, k => Assert.Contains(".experts.", k));
        Assert.DoesNotContain(moe.Unet.state_dict().Keys, k => k.StartsWith("mid_block.attentions.", StringComparison.Ordinal));
    }

    [Fact]
    public void CoreSharedTextHidesOnlyCaptionsOutsideTheCoreFromTheMidBlock()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var options = Tiny with { Steps = 1, LearningRate = 1e-2 };
        static bool Same(SegMoeModel a, SegMoeModel b)
        {
            var sa = a.Unet.state_dict();
            return b.Unet.state_dict().All(kv => Equal(kv.Value, sa[kv.Key]));
        }
        // Experts whose data are the core: no caption is hidden, so the step is the unmasked one bit for bit.
        var coreOnly = new[] { ToyWorld.Core with { Name = "c0" }, ToyWorld.Core with { Name = "c1" } };
        using (var plain = ToyJointExperts.Train(Builder(), coreOnly, textEncoder, options, 4))
        using (var core = ToyJointExperts.Train(Builder(), coreOnly, textEncoder, options, 4, sharedText: ToySharedText.CoreOrEmpty))
            Assert.True(Same(plain, core));
        // The core is the expert set's: experts drawing the colour set's core (every shape and position) hide nothing
        // against that core, but do against the bundled set's (their rows state triangles and other positions).
        var colourCoreOnly = new[] { ToyExpertSet.Colours.Core with { Name = "c0" }, ToyExpertSet.Colours.Core with { Name = "c1" } };
        using (var plain = ToyJointExperts.Train(Builder(), colourCoreOnly, textEncoder, options, 4))
        using (var ownCore = ToyJointExperts.Train(Builder(), colourCoreOnly, textEncoder, options, 4, sharedText: ToySharedText.CoreOrEmpty, core: ToyExpertSet.Colours.Core))
        using (var bundledCore = ToyJointExperts.Train(Builder(), colourCoreOnly, textEncoder, options, 4, sharedText: ToySharedText.CoreOrEmpty))
        {
            Assert.True(Same(plain, ownCore));
            Assert.False(Same(plain, bundledCore));
        }
        // The toy experts' rows state triangles, purple and other positions: the mid block then reads other contexts.
        using var all = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options, 4);
        using var masked = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options, 4, sharedText: ToySharedText.CoreOrEmpty);
        Assert.False(Same(all, masked));
        Assert.False(Equal(all.Unet.state_dict()["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"],
            masked.Unet.state_dict()["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"]));
        // Core words: the mid block reads the captions without their non-core words, neither the full ones nor the empty one.
        using var words = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options, 4, sharedText: ToySharedText.CoreWords);
        Assert.False(Same(all, words));
        Assert.False(Same(masked, words));
        // A generic-shape share of 0 is that recipe bit for bit; a share of 1 also hides the core rows' shape words.
        using (var none = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options, 4, sharedText: ToySharedText.CoreWords, genericShapeRate: 0))
            Assert.True(Same(words, none));
        using (var generic = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options, 4, sharedText: ToySharedText.CoreWords, genericShapeRate: 1))
            Assert.False(Same(words, generic));
        // The returned mixture attends normally again.
        Assert.All(words.Unet.modules().OfType<Penumbra.Models.Attention.Attention>(),
            a => Assert.Same(Penumbra.Models.Attention.ScaledDotProductAttentionProcessor.Instance, a.Processor));
        Assert.All(masked.Unet.modules().OfType<Penumbra.Models.Attention.Attention>(),
            a => Assert.Same(Penumbra.Models.Attention.ScaledDotProductAttentionProcessor.Instance, a.Processor));
    }

    [Fact]
    public void CoreCaptionDropsTheWordsOutsideTheCoreAndOnRequestTheShape()
    {
        var scene = new ToyScene(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Right, ToySize.Big, ToyBackground.Black);
        var outside = new ToySample(scene, "a big purple triangle on the right", new ToyPrompt(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Right, ToySize.Big),
            ToyLanguage.English, ToyPhrasing.Plain);
        Assert.Equal("a big shape", ToyJointExperts.CoreCaption(outside, ToyWorld.Core));
        // The colour set's core keeps every shape and position and drops only green, purple and white.
        Assert.Equal("a big triangle on the right", ToyJointExperts.CoreCaption(outside, ToyExpertSet.Colours.Core));
        var core = new ToySample(scene with { Shape = ToyShape.Circle, Color = ToyColor.Red, Position = ToyPosition.Left }, "a big red circle on the left",
            new ToyPrompt(ToyShape.Circle, ToyColor.Red, ToyPosition.Left, ToySize.Big), ToyLanguage.English, ToyPhrasing.Plain);
        Assert.Equal("a big red circle on the left", ToyJointExperts.CoreCaption(core, ToyWorld.Core));
        Assert.Equal("a big red shape on the left", ToyJointExperts.CoreCaption(core, ToyWorld.Core, genericShape: true));
    }

    [Fact]
    public void AGenericShapeShareNeedsCoreWordsAndAShare()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1 }, 1,
            sharedText: ToySharedText.CoreWords, genericShapeRate: 1.5));
        var e = Assert.Throws<ArgumentException>(() => ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1 }, 1,
            sharedText: ToySharedText.CoreOrEmpty, genericShapeRate: 0.5));
        Assert.Contains("core-words", e.Message);
    }

    [Fact]
    public void CoreSharedTextNeedsACrossAttentionOfTheTrunk()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var e = Assert.Throws<ArgumentException>(() => ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny with { Steps = 1 }, 1,
            midBlockType: "UNetMidBlock2D", sharedText: ToySharedText.CoreOrEmpty));
        Assert.Contains("UNetMidBlock2DCrossAttn", e.Message);
    }

    [Fact]
    public void TheDefaultToyUNetIsTheBundledOne()
    {
        // The committed model's own config.json (its unknown keys, such as _class_name, set aside).
        string file = Path.Combine(Fixtures.RepoRoot, "models", "toy-segmoe", "unet", "config.json");
        var bundled = Penumbra.Configs.ConfigJson.Parse<Penumbra.Models.Unets.UNet2DConditionConfig>(File.ReadAllText(file)) with { Extra = null };
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(bundled, Penumbra.Configs.ConfigJson.Options),
            System.Text.Json.JsonSerializer.Serialize(ToyWorld.UNetConfig, Penumbra.Configs.ConfigJson.Options));
    }

    [Fact]
    public void AnExtractedExpertIsTheMixtureWithThatExpertForcedEverywhere()
    {
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        using var moe = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, Tiny, 1);
        Assert.All(moe.Unet.state_dict(), kv => Assert.False(kv.Value.isnan().any().item<bool>(), "nan in " + kv.Key));
        using var x = randn(new long[] { 2, 3, ToyWorld.ImageSize, ToyWorld.ImageSize }, generator: new Generator(3));
        using var t = tensor(new long[] { 999, 500 });
        using var context = Builder().Encode(textEncoder, new[] { "a purple triangle on the right", "" });
        for (int e = 0; e < moe.NumExperts; e++)
        {
            using var plain = ToyJointExperts.Extract(moe, e);
            Assert.DoesNotContain(plain.state_dict().Keys, k => k.Contains(".experts."));
            Assert.All(plain.state_dict(), kv => Assert.False(kv.Value.isnan().any().item<bool>(), "nan in plain " + kv.Key));
            Assert.False(context.isnan().any().item<bool>(), "context");
            using var expected = plain.call(x, t, context);
            Tensor actual;
            using (moe.Routing.Use(MoeRoute.ForcedAll(e))) actual = moe.Unet.call(x, t, context);
            using (actual) Assert.True(actual.sub(expected).abs().max().item<float>() < 1e-5f, $"expert {e}: {actual.sub(expected).abs().max().item<float>()} of {expected.abs().max().item<float>()}");
        }
    }

    [Fact]
    public void AResumedJointRunEqualsAnUninterruptedOne()
    {
        var dirA = Directory.CreateTempSubdirectory("penumbra-joint-").FullName;
        var dirB = Directory.CreateTempSubdirectory("penumbra-joint-").FullName;
        try
        {
            using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
            var options = Tiny with { Steps = 4, CheckpointEvery = 2, EmaDecay = 0.9 };
            using var whole = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options with { CheckpointDirectory = dirA }, 1);
            using var stop = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder,
                options with { CheckpointDirectory = dirB }, 1, new StopAt(2, stop), stop.Token));
            // As in a new process: the caption cache starts empty and the checkpoint of step 2 is resumed.
            using var resumed = ToyJointExperts.Train(Builder(), ToyWorld.Experts, textEncoder, options with { CheckpointDirectory = dirB }, 1);
            var a = whole.Unet.state_dict();
            Assert.All(resumed.Unet.state_dict(), kv => Assert.True(Equal(kv.Value, a[kv.Key]), kv.Key));
        }
        finally
        {
            Directory.Delete(dirA, true);
            Directory.Delete(dirB, true);
        }
    }

    private sealed class StopAt(int step, CancellationTokenSource source) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep value)
        {
            if (value.Step == step) source.Cancel();
        }
    }

    [Fact]
    public void CachedCaptionStatesAreEachCaptionEncodedAloneWhateverItsBatch()
    {
        var builder = Builder();
        using var textEncoder = ToyModelBuilder.BuildTextEncoder(0);
        var cache = new CachedCaptionEncoder(c => builder.Encode(textEncoder, c));
        using var batch = cache.Encode(new[] { "a red circle", "a blue square", "a red circle" });
        Assert.Equal(2, cache.Count);
        using var alone = builder.Encode(textEncoder, new[] { "a blue square" });
        Assert.True(Equal(batch[1], alone[0]));
        Assert.True(Equal(batch[0], batch[2]));
        using var again = cache.Encode(new[] { "a blue square" });
        Assert.Equal(2, cache.Count);
        Assert.True(Equal(again[0], alone[0]));
    }
}
