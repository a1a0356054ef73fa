using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

public sealed class SegMoeCheckpointTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("segmoe-ckpt-").FullName;

    public SegMoeCheckpointTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, int> Cases => new() { { "ff", 3 }, { "attn", 4 }, { "all", 4 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PerturbedExpertMoeSavesAndReloadsWithIdenticalOutputs(string layers, int experts)
    {
        using var model = MoeTestModels.PerturbedMoe(layers, experts, topK: 2);
        string folder = Path.Combine(_dir, layers);
        model.SavePretrained(folder);
        using var reloaded = SegMoeModel.FromPretrained(folder);
        Assert.Equal(model.Config.ToJson().GetRawText(), reloaded.Config.ToJson().GetRawText());

        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var (x, t, c) = (refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        var before = model.Unet.call(x, t, c);
        var after = reloaded.Unet.call(x, t, c);
        Assert.True(before.equal(after).all().item<bool>());
        // The experts really differ: the routed output is not the base UNet's.
        using var plain = MoeTestModels.TinyUnet();
        double fromPlain = SegMoeModelTests.MaxAbs(after, plain.call(x, t, c));
        _output.WriteLine($"{layers} x{experts}: reload identical; routed MoE vs base UNet max abs {fromPlain:E2}");
        Assert.True(fromPlain > 1e-4);
        foreach (var (path, block) in model.Blocks)
            Assert.Equal(block.LastCall!.Selections[0], reloaded.Blocks[path].LastCall!.Selections[0]);
    }

    [Fact]
    public void SegmindLayoutWrittenByAnIndependentWriterLoads()
    {
        // Keys built by hand from tiny-sd's plain keys: P.gate.weight and P.experts.<e>.<suffix> for every attention
        // q/k/v and ff module of the sd block ranges (down [0, n-1), up [1, n)).
        const int experts = 3;
        string unetDir = Path.Combine(_dir, "hand", "unet");
        Directory.CreateDirectory(unetDir);
        using var plainFile = SafetensorsFile.Open(Fixtures.Path("tiny-sd", "unet", "diffusion_pytorch_model.safetensors"));
        int downBlocks = plainFile.Keys.Where(k => k.StartsWith("down_blocks.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Distinct().Count();
        var modulePattern = new Regex(@"^((?:down_blocks\.(\d+)|up_blocks\.(\d+))\.attentions\.\d+\.transformer_blocks\.\d+\.(?:attn[12]\.to_[qkv]|ff))\.(.+)$");
        var tensors = new Dictionary<string, Tensor>();
        var gateInputs = new Dictionary<string, long>();
        var g = new Generator(21);
        using var scope = NewDisposeScope();
        foreach (var key in plainFile.Keys)
        {
            var value = plainFile.Load(key);
            var m = modulePattern.Match(key);
            bool moe = m.Success && (m.Groups[2].Success ? int.Parse(m.Groups[2].Value) < downBlocks - 1 : int.Parse(m.Groups[3].Value) >= 1);
            if (!moe)
            {
                tensors[key] = value;
                continue;
            }
            string module = m.Groups[1].Value, suffix = m.Groups[4].Value;
            for (int e = 0; e < experts; e++)
                tensors[$"{module}.experts.{e}.{suffix}"] = e == 0 ? value : value + 0.05 * randn(value.shape, generator: g);
            if (suffix is "weight" or "net.0.proj.weight") gateInputs[module] = value.shape[1];
        }
        foreach (var (module, inFeatures) in gateInputs) tensors[$"{module}.gate.weight"] = randn(new long[] { experts, inFeatures }, generator: g);
        SafetensorsWriter.Save(Path.Combine(unetDir, "diffusion_pytorch_model.safetensors"), tensors);
        var config = JsonNode.Parse(File.ReadAllText(Fixtures.Path("tiny-sd", "unet", "config.json")))!.AsObject();
        config["segmoe_config"] = JsonNode.Parse($$"""
            {"base_model": "tiny-sd", "down_idx_end": {{downBlocks - 1}}, "down_idx_start": 0, "experts": [],
             "moe_layers": "all", "num_experts": {{experts}}, "num_experts_per_tok": 2, "type": "sd",
             "up_idx_end": {{downBlocks}}, "up_idx_start": 1}
            """);
        File.WriteAllText(Path.Combine(unetDir, "config.json"), config.ToJsonString());

        using var model = SegMoeModel.FromPretrained(Path.Combine(_dir, "hand"));
        Assert.Equal(gateInputs.Count, model.Blocks.Count);
        var state = model.Unet.state_dict();
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in tensors) Assert.True(state[key].equal(value).all().item<bool>(), key);

        // Expert 0 holds tiny-sd's own weights, so forcing it everywhere gives tiny-sd's UNet.
        using var plain = MoeTestModels.TinyUnet();
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        using var mode = inference_mode();
        var (x, t, c) = (refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        using (model.Routing.Use(MoeRoute.ForcedAll(0)))
            Assert.True(SegMoeModelTests.MaxAbs(model.Unet.call(x, t, c), plain.call(x, t, c)) < 1e-6);

        // Saving writes the same keys and values back.
        string again = Path.Combine(_dir, "again");
        model.SavePretrained(again);
        using var saved = SafetensorsFile.Open(Path.Combine(again, "diffusion_pytorch_model.safetensors"));
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), saved.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in tensors) Assert.True(saved.Load(key).equal(value).all().item<bool>(), key);
    }

    [Fact]
    public void Float16CheckpointIsUpcast()
    {
        string unetDir = Path.Combine(_dir, "f16", "unet");
        Directory.CreateDirectory(unetDir);
        File.Copy(Fixtures.Path("moe", "tiny-segmoe", "unet", "config.json"), Path.Combine(unetDir, "config.json"));
        using var f32 = SafetensorsFile.Open(FileLinks.Resolve(Fixtures.Path("moe", "tiny-segmoe", "unet", "diffusion_pytorch_model.safetensors")));
        using var scope = NewDisposeScope();
        var half = f32.Keys.ToDictionary(k => k, k => f32.Load(k).to(ScalarType.Float16));
        SafetensorsWriter.Save(Path.Combine(unetDir, "diffusion_pytorch_model.safetensors"), half);

        using var model = SegMoeModel.FromPretrained(Path.Combine(_dir, "f16"));
        var state = model.Unet.state_dict();
        foreach (var (key, value) in half)
        {
            Assert.Equal(ScalarType.Float32, state[key].dtype);
            Assert.True(state[key].equal(value.to(ScalarType.Float32)).all().item<bool>(), key);
        }
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "segmoe.safetensors"));
        using var mode = inference_mode();
        var output = model.Unet.call(refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        _output.WriteLine($"F16 weights: out max abs error {SegMoeModelTests.MaxAbs(output, refs.Load("out")):E2}");
    }

    [Fact]
    public void MissingSegMoeConfigOrWrongExpertCountIsAClearError()
    {
        var plain = Assert.Throws<CheckpointFormatException>(() => SegMoeModel.FromPretrained(Fixtures.Path("tiny-sd")));
        Assert.Contains("no segmoe_config", plain.Message);

        string unetDir = Path.Combine(_dir, "wrong", "unet");
        Directory.CreateDirectory(unetDir);
        var config = JsonNode.Parse(File.ReadAllText(Fixtures.Path("moe", "tiny-segmoe", "unet", "config.json")))!.AsObject();
        config["segmoe_config"]!["num_experts"] = 3;
        File.WriteAllText(Path.Combine(unetDir, "config.json"), config.ToJsonString());
        File.Copy(FileLinks.Resolve(Fixtures.Path("moe", "tiny-segmoe", "unet", "diffusion_pytorch_model.safetensors")),
            Path.Combine(unetDir, "diffusion_pytorch_model.safetensors"));
        var e = Assert.Throws<CheckpointFormatException>(() => SegMoeModel.FromPretrained(Path.Combine(_dir, "wrong")));
        Assert.Contains("unexpected key", e.Message);
        Assert.Contains(".experts.3.", e.Message);
        Assert.Contains("shape mismatch", e.Message);
        Assert.True(SegMoeModel.IsSegMoe(Fixtures.Path("moe", "tiny-segmoe")));
        Assert.False(SegMoeModel.IsSegMoe(Fixtures.Path("tiny-sd")));
    }
}
