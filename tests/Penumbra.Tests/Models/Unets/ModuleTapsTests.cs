using Penumbra.IO;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Unets;

public class ModuleTapsTests
{
    private static (UNet2DConditionModel Model, Tensor Sample, Tensor Timestep, Tensor Context) Load()
    {
        var model = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-sd", "unet"));
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        return (model, refs.Load("in.sample"), refs.Load("in.timestep"), refs.Load("in.encoder_hidden_states"));
    }

    [Fact]
    public void MidBlockBypassUsesInputAndOutput()
    {
        var (model, x, t, c) = Load();
        using var _ = model;
        using var mode = inference_mode();
        var plain = model.call(x, t, c);

        // g = 1 leaves the output as it is: x + (y − x) equals y up to float32 rounding (an ulp of the mid block's
        // values), which the up blocks carry to the output; the bypass formula must reproduce the plain run to that.
        using (new ModuleTaps(model).Replace("mid_block", e => e.Input! + 1.0 * (e.Output - e.Input!)))
        {
            float diff = (model.call(x, t, c) - plain).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"g = 1 changed the output by {diff} (plain max {plain.abs().max().item<float>()})");
        }

        // g = 0: the mid block's output becomes its input; a capture added after the replacement sees that.
        string lastDown = $"down_blocks.{model.Config.DownBlockTypes.Length - 1}";
        using (var taps = new ModuleTaps(model).Capture(lastDown).Replace("mid_block", e => e.Input!).Capture("mid_block"))
        {
            var bypassed = model.call(x, t, c);
            Assert.Equal(0f, (taps.Captured["mid_block"] - taps.Captured[lastDown]).abs().max().item<float>());
            Assert.True((bypassed - plain).abs().max().item<float>() > 1e-3);
        }

        // Disposing the taps removes the hooks.
        Assert.Equal(0f, (model.call(x, t, c) - plain).abs().max().item<float>());
    }

    [Fact]
    public void ObserversSeeEveryCallAndTupleOutputsCanBeReplaced()
    {
        var (model, x, t, c) = Load();
        using var _ = model;
        using var mode = inference_mode();
        var seen = new List<string>();
        float nextInputMax = float.NaN;
        using var taps = new ModuleTaps(model)
            .Observe("down_blocks.0.attentions.0.transformer_blocks.0.attn2", e =>
            {
                Assert.Same(c, e.Inputs[1]);
                seen.Add(e.Path);
            })
            .Replace("down_blocks.0", e => zeros_like(e.Output))
            .Observe("down_blocks.1", e => nextInputMax = e.Input!.abs().max().item<float>());
        var output = model.call(x, t, c);
        model.call(x, t, c);
        Assert.Equal(2, seen.Count);
        Assert.Equal(0f, nextInputMax);
        Assert.Equal(x.shape, output.shape);
    }

    /// <summary>A processor that counts calls and delegates to the default one.</summary>
    private sealed class CountingProcessor : Penumbra.Models.Attention.IAttentionProcessor
    {
        public int Calls;

        public Tensor Process(Penumbra.Models.Attention.Attention attn, Tensor hiddenStates, Tensor? encoderHiddenStates)
        {
            Calls++;
            return Penumbra.Models.Attention.ScaledDotProductAttentionProcessor.Instance.Process(attn, hiddenStates, encoderHiddenStates);
        }
    }

    [Fact]
    public void ProcessorsCanBeSwappedPerLayer()
    {
        var (model, x, t, c) = Load();
        using var _ = model;
        using var mode = inference_mode();
        var plain = model.call(x, t, c);
        var counter = new CountingProcessor();
        var changed = Penumbra.Models.Attention.AttentionProcessors.Set(model, counter, p => p.EndsWith(".attn2", StringComparison.Ordinal));
        Assert.NotEmpty(changed);
        Assert.All(changed, p => Assert.EndsWith("attn2", p));
        Assert.Equal(0f, (model.call(x, t, c) - plain).abs().max().item<float>());
        Assert.Equal(changed.Count, counter.Calls);
    }

    [Fact]
    public void UnknownPathIsNamed()
    {
        var (model, _, _, _) = Load();
        using var __ = model;
        var e = Assert.Throws<ArgumentException>(() => new ModuleTaps(model).Capture("down_blocks.0.attentions.7"));
        Assert.Contains("down_blocks.0.attentions.7", e.Message);
        Assert.Contains("'7'", e.Message);
    }
}
