using Penumbra.IO;
using Penumbra.Models.Common;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

public sealed class SegMoeConversionTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("segmoe-conv-").FullName;

    public SegMoeConversionTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Layers => new() { "ff", "attn", "all" };

    [Theory]
    [MemberData(nameof(Layers))]
    public void ConvertsTheSpecsModulesAndNeverTheMidBlock(string layers)
    {
        using var model = SegMoeModel.Convert(MoeTestModels.TinyUnet(), MoeTestModels.Config(layers, 3, 2));
        int perBlock = layers switch { "ff" => 1, "attn" => 6, _ => 7 };
        var transformerBlocks = SegMoeLayout.TransformerBlocks(model.Unet, model.Config);
        Assert.Equal(transformerBlocks.Count * perBlock, model.Blocks.Count);
        Assert.All(model.Blocks.Keys, p => Assert.False(p.StartsWith("mid_block", StringComparison.Ordinal)));
        // sd ranges: down [0, n-1), up [1, n).
        int n = model.Unet.Config.DownBlockTypes.Length;
        Assert.Equal((0, n - 1, 1, n), (model.Config.DownIdxStart!.Value, model.Config.DownIdxEnd!.Value, model.Config.UpIdxStart!.Value, model.Config.UpIdxEnd!.Value));
        var keys = model.Unet.state_dict().Keys.ToHashSet();
        foreach (var path in model.Blocks.Keys)
        {
            Assert.Contains($"{path}.gate.weight", keys);
            Assert.Contains(keys, k => k.StartsWith($"{path}.experts.2.", StringComparison.Ordinal));
            Assert.DoesNotContain(keys, k => k.StartsWith($"{path}.experts.3.", StringComparison.Ordinal));
            Assert.DoesNotContain($"{path}.weight", keys);
        }
        Assert.Contains(keys, k => k.StartsWith("mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void IdenticalExpertsReproduceThePlainUnet(string layers)
    {
        using var plain = MoeTestModels.TinyUnet();
        using var model = SegMoeModel.Convert(MoeTestModels.TinyUnet(), MoeTestModels.Config(layers, 4, 2));
        var g = new Generator(3);
        foreach (var block in model.Blocks.Values) block.SetGate(randn(block.NumExperts, block.InFeatures, generator: g) * 5);
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var (x, t, c) = (refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        double error = SegMoeModelTests.MaxAbs(model.Unet.call(x, t, c), plain.call(x, t, c));
        _output.WriteLine($"{layers}: identical experts vs plain UNet max abs {error:E2}");
        Assert.True(error < 1e-5);
    }

    [Fact]
    public void ForcedExpertLayerEqualsThatExpertsOwnLayer()
    {
        using var model = SegMoeModel.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        model.TopK = 1;
        var g = new Generator(4);
        for (int e = 0; e < model.NumExperts; e++)
        {
            using var expertUnet = Penumbra.Models.Unets.UNet2DConditionModel.FromPretrained(Fixtures.Path("moe", "experts", $"e{e}", "unet"));
            foreach (var (path, block) in model.Blocks)
            {
                var x = randn(2, 5, block.InFeatures, generator: g);
                var own = ((nn.Module<Tensor, Tensor>)ModulePaths.Find(expertUnet, path)).call(x);
                using (model.Routing.Use(MoeRoute.ForcedAll(e)))
                    Assert.True(block.call(x).equal(own).all().item<bool>(), $"{path}: forced expert {e}");
            }
        }
    }

    [Fact]
    public void ForcingExpertZeroEverywhereGivesItsUnet()
    {
        // Expert 0 of the fixture MoE is tiny-sd itself, which is also the base: forcing it everywhere is that UNet.
        using var model = SegMoeModel.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        using var plain = Penumbra.Models.Unets.UNet2DConditionModel.FromPretrained(Fixtures.Path("moe", "experts", "e0", "unet"));
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "segmoe.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var (x, t, c) = (refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        using (model.Routing.Use(MoeRoute.ForcedAll(0)))
            Assert.True(SegMoeModelTests.MaxAbs(model.Unet.call(x, t, c), plain.call(x, t, c)) < 1e-6);
    }

    [Fact]
    public void GateVectorMatchesAHandComputationFromCapturedActivations()
    {
        using var unet = MoeTestModels.TinyUnet();
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        string block = SegMoeLayout.TransformerBlocks(unet, MoeTestModels.Config("all", 2, 1).ForUnet(2, 2))[0];
        using var recorder = new GateActivationRecorder(unet, new[] { $"{block}.attn1.to_q", $"{block}.ff", $"{block}.attn2.to_k" });
        using var taps = new ModuleTaps(unet).Capture($"{block}.norm1", $"{block}.norm3");
        var context = refs.Load("in.encoder_hidden_states");
        unet.call(refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), context);

        foreach (var (module, input) in new[] { ("attn1.to_q", taps.Captured[$"{block}.norm1"]), ("ff", taps.Captured[$"{block}.norm3"]), ("attn2.to_k", context) })
        {
            // Last row (the conditional one of a [uncond, cond] batch), mean over tokens, L2-normalised, by hand in doubles.
            var rows = input[input.shape[0] - 1].to(ScalarType.Float64).cpu();
            long s = rows.shape[0], d = rows.shape[1];
            var data = rows.data<double>().ToArray();
            var v = new double[d];
            for (long i = 0; i < s; i++) for (long j = 0; j < d; j++) v[j] += data[i * d + j] / s;
            double norm = Math.Sqrt(v.Sum(a => a * a));
            var expected = v.Select(a => a / norm).ToArray();
            var actual = recorder.GateVector($"{block}.{module}").to(ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(d, actual.Length);
            double error = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            _output.WriteLine($"{module}: gate vector vs hand computation max abs {error:E2}");
            Assert.True(error < 1e-6, $"{module}: {error}");
        }
    }

    [Fact]
    public void ParameterRatioOfAFourExpertTinyMoe()
    {
        using var plain = MoeTestModels.TinyUnet();
        long one = MoeTestModels.Parameters(plain);
        foreach (var layers in new[] { "ff", "attn", "all" })
        {
            using var model = SegMoeModel.Convert(MoeTestModels.TinyUnet(), MoeTestModels.Config(layers, 4, 2));
            long moe = MoeTestModels.Parameters(model.Unet);
            long expertParameters = model.Blocks.Values.Sum(b => MoeTestModels.Parameters(b.Expert(0)));
            long gates = model.Blocks.Values.Sum(b => b.Gate.weight!.numel());
            _output.WriteLine($"{layers}: one UNet {one:N0}, 4-expert MoE {moe:N0}, ratio {(double)moe / one:F3}");
            // Non-MoE weights are held once: the MoE adds 3 copies of the converted modules and the gates, nothing else.
            Assert.Equal(one + 3 * expertParameters + gates, moe);
            Assert.True(moe < 4 * one);
        }
    }
}
