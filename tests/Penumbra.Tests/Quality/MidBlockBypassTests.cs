using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Quality;

public class MidBlockBypassTests
{
    private const double Tolerance = 1e-5; // float32 rounding of a 2-step tiny-sd run (same ops in a different order)

    private static GenerationOptions Options(int steps = 3) => new()
    {
        Prompts = new[] { "a red circle", "a blue square" }, NegativePrompts = new[] { "blurry" }, Steps = steps, Seed = 5, Decode = false,
    };

    internal static bool BitEqual(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var same = a.eq(b).all();
        return same.item<bool>();
    }

    private static double MaxAbs(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    [Fact]
    public void GOneEverywhereIsBitIdenticalToThePlainPipeline()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        using var plain = pipe.Generate(Options(), "ddim");
        foreach (var spec in new[] { "const:1", "ramp:1->1", "window:1@0-0.5" })
        {
            pipe.Modifier = new MidBlockBypass(BypassSchedule.Parse(spec));
            using var bypassed = pipe.Generate(Options(), "ddim");
            Assert.True(BitEqual(plain.Latents, bypassed.Latents), spec);
        }
        pipe.Modifier = new MidBlockBypass(BypassSchedule.Parse("const:0.9"));
        using var changed = pipe.Generate(Options(), "ddim");
        Assert.True(MaxAbs(plain.Latents, changed.Latents) > 1e-4);
    }

    [Fact]
    public void GZeroEqualsTheSameUNetWithoutItsMidBlock()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        // The hand-made model: the same config with mid_block_type null (diffusers then passes h straight to the up
        // blocks) and every weight but the mid block's copied over.
        using var noMid = new UNet2DConditionModel(pipe.Unet.Config with { MidBlockType = null });
        var weights = pipe.Unet.state_dict().Where(kv => !kv.Key.StartsWith("mid_block.")).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.NotEqual(pipe.Unet.state_dict().Count, weights.Count);
        noMid.load_state_dict(weights, strict: true);
        noMid.eval();
        var skipped = new StableDiffusionPipeline(pipe.Tokenizer, pipe.TextEncoder, noMid, pipe.Vae, pipe.SchedulerConfig, pipe.Device,
            pipe.DType, "no-mid");

        using var expected = skipped.Generate(Options(), "euler");
        pipe.Modifier = new MidBlockBypass(BypassSchedule.Constant(0));
        using var bypassed = pipe.Generate(Options(), "euler");
        Assert.True(MaxAbs(expected.Latents, bypassed.Latents) <= Tolerance, $"max abs {MaxAbs(expected.Latents, bypassed.Latents)}");
        pipe.Modifier = null;
        using var plain = pipe.Generate(Options(), "euler");
        Assert.True(MaxAbs(plain.Latents, bypassed.Latents) > 1e-3);
    }

    [Theory]
    [InlineData(0.3, BypassRule.Interpolate)]
    [InlineData(1.4, BypassRule.Interpolate)]
    [InlineData(0.6, BypassRule.Scale)]
    public void OneUNetCallUsesTheMixingRuleOnEveryRow(double g, BypassRule rule)
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var unet = pipe.Unet;
        var gen = new Generator(3);
        using var x = randn(new long[] { 2, 4, 16, 16 }, generator: gen);
        using var ctx = randn(new long[] { 2, 77, unet.Config.CrossAttentionDim.Values[0] }, generator: gen);
        using var noGrad = inference_mode();

        // Hand computation: capture h_in and Mid(h_in) of the plain call, mix them here, force that mid output.
        Tensor hIn = null!, mid = null!;
        using (new ModuleTaps(unet).Observe("mid_block", e =>
               {
                   hIn = e.Input!.clone().DetachFromDisposeScope();
                   mid = e.Output.clone().DetachFromDisposeScope();
               }))
            unet.Forward(x, 500, ctx).Dispose();
        using var mixed = rule == BypassRule.Scale ? g * mid : (1 - g) * hIn + g * mid;
        Tensor expected;
        using (new ModuleTaps(unet).Replace("mid_block", _ => mixed.alias()))
            expected = unet.Forward(x, 500, ctx);

        var bypass = new MidBlockBypass(BypassSchedule.Constant(g, rule));
        Tensor actual;
        using (bypass.BeginStep(unet, 0, 1))
            actual = unet.Forward(x, 500, ctx);
        Assert.True(MaxAbs(expected, actual) <= Tolerance, $"max abs {MaxAbs(expected, actual)}");
        using var plain = unet.Forward(x, 500, ctx); // the tap is gone after the step
        Assert.True(MaxAbs(plain, actual) > 1e-4);
        foreach (var t in new[] { hIn, mid, expected, actual }) t.Dispose();
    }

    [Fact]
    public void ScheduleSeesEveryStepOfTheRun()
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var recorder = new RecordingModifier(new MidBlockBypass(BypassSchedule.Parse("window:0.5@0-0.5")));
        pipe.Modifier = recorder;
        using var r = pipe.Generate(Options(steps: 4), "ddim");
        Assert.Equal(new[] { (0, 4), (1, 4), (2, 4), (3, 4) }, recorder.Steps);
        Assert.Equal(new[] { true, true, false, false }, recorder.Tapped); // no tap where g = 1
    }

    [Fact]
    public void ComposesWithSegMoeUNets()
    {
        using var moe = SegMoePipeline.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        var pipe = moe.Pipeline;
        using var plain = pipe.Generate(Options(2), "ddim");
        pipe.Modifier = new MidBlockBypass(BypassSchedule.Identity);
        using var identity = pipe.Generate(Options(2), "ddim");
        Assert.True(BitEqual(plain.Latents, identity.Latents));
        pipe.Modifier = new MidBlockBypass(BypassSchedule.Parse("const:0"));
        using var skipped = pipe.Generate(Options(2), "ddim");
        Assert.True(MaxAbs(plain.Latents, skipped.Latents) > 1e-4);
        Assert.All(moe.Model.Blocks.Values, b => Assert.NotNull(b.LastCall)); // the experts still ran
    }

    internal sealed class RecordingModifier : IDenoisingModifier
    {
        private readonly IDenoisingModifier inner;
        public RecordingModifier(IDenoisingModifier inner) => this.inner = inner;
        public List<(int Step, int Total)> Steps { get; } = new();
        public List<bool> Tapped { get; } = new();
        public string Describe() => inner.Describe();

        public IDisposable? BeginStep(UNet2DConditionModel unet, int step, int totalSteps)
        {
            Steps.Add((step, totalSteps));
            var d = inner.BeginStep(unet, step, totalSteps);
            Tapped.Add(d is not null);
            return d;
        }
    }
}
