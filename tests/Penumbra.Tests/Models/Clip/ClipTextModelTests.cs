using Penumbra.IO;
using Penumbra.Models.Clip;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Clip;

/// <summary><c>reference/text_encoder.safetensors</c> with <c>tiny-sd/text_encoder</c> (fixtures/README.md section 5), and the
/// weight layout of the SD 2 text encoder <c>single-file/tiny-sd2/text_encoder</c>.</summary>
public class ClipTextModelTests(ITestOutputHelper output)
{
    /// <summary>fixtures/README.md, "Tolerances": module-level references (text encoder) max abs diff &lt;= 1e-4.</summary>
    private const double Tolerance = 1e-4;

    internal static double MaxAbs(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual.to(float64).cpu() - expected.to(float64).cpu()).abs().max().item<double>();
    }

    [Fact]
    public void TextEncoderMatchesTransformers()
    {
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "text_encoder.safetensors"));
        using var model = ClipTextModel.FromPretrained(Fixtures.Path("tiny-sd", "text_encoder"));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        using var result = model.Forward(reference.Load("in.input_ids"));

        int layers = model.Config.NumHiddenLayers;
        Assert.Equal(layers + 1, result.HiddenStates.Count);
        var checks = new List<(string, Tensor)>
        {
            ("out.last_hidden_state", result.LastHiddenState), ("out.pooler_output", result.PooledOutput),
        };
        for (int i = 0; i <= layers; i++) checks.Add(($"out.hidden_states.{i}", result.HiddenStates[i]));
        Assert.Equal(reference.Keys.Count(k => k.StartsWith("out.", StringComparison.Ordinal)), checks.Count);
        foreach (var (key, actual) in checks)
        {
            double err = MaxAbs(actual, reference.Load(key));
            output.WriteLine($"{key}: max abs error {err:E2}");
            Assert.True(err <= Tolerance, $"{key}: max abs error {err:E3} > {Tolerance:E0}");
        }
    }

    [Fact]
    public void Sd2TextEncoderLoadsWithGeluAndItsParameterCount()
    {
        string folder = Fixtures.Path("single-file", "tiny-sd2", "text_encoder");
        using var model = ClipTextModel.FromPretrained(folder);
        using var file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        long fileElements = file.Keys.Sum(k => file.Info(k).Shape.Aggregate(1L, (a, b) => a * b));
        long parameters = model.parameters().Sum(p => p.numel());
        Assert.Equal("gelu", model.Config.HiddenAct);
        Assert.Equal(file.Keys.Count(), model.state_dict().Count);
        Assert.Equal(fileElements, parameters);
        output.WriteLine($"{model.Config.NumHiddenLayers} layers, {parameters:N0} parameters = {fileElements:N0} file elements");

        using var mode = inference_mode();
        using var ids = tensor(new long[] { 49406, 320, 2368, 49407, 0, 0 }).unsqueeze(0);
        using var result = model.Forward(ids);
        Assert.Equal(new long[] { 1, 6, model.Config.HiddenSize }, result.LastHiddenState.shape);
        Assert.Equal(model.Config.NumHiddenLayers + 1, result.HiddenStates.Count);
        Assert.False(result.LastHiddenState.isnan().any().item<bool>());
    }

    [Fact]
    public void PooledOutputUsesFirstEosOrLargestIdForLegacyConfigs()
    {
        var config = new CLIPTextConfig { VocabSize = 50, HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, MaxPositionEmbeddings = 8, EosTokenId = 7 };
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        torch.manual_seed(0);
        using var model = new ClipTextModel(config);
        using var ids = tensor(new long[] { 1, 9, 7, 7, 40, 3 }).unsqueeze(0);
        using var eos = model.Forward(ids);
        Assert.Equal(0.0, MaxAbs(eos.PooledOutput, eos.LastHiddenState[.., 2, ..]));

        var legacy = new ClipTextModel(config with { EosTokenId = 2 });
        legacy.load_state_dict(model.state_dict());
        using var byMax = legacy.Forward(ids);
        Assert.Equal(0.0, MaxAbs(byMax.PooledOutput, byMax.LastHiddenState[.., 4, ..]));
    }

    [Fact]
    public void CausalMaskHidesLaterTokens()
    {
        var config = new CLIPTextConfig { VocabSize = 50, HiddenSize = 8, IntermediateSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, MaxPositionEmbeddings = 8 };
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        torch.manual_seed(1);
        using var model = new ClipTextModel(config);
        using var a = model.Forward(tensor(new long[] { 1, 2, 3, 4 }).unsqueeze(0));
        using var b = model.Forward(tensor(new long[] { 1, 2, 3, 9 }).unsqueeze(0));
        Assert.Equal(0.0, MaxAbs(a.LastHiddenState[.., ..3, ..], b.LastHiddenState[.., ..3, ..]));
        Assert.True(MaxAbs(a.LastHiddenState[.., 3, ..], b.LastHiddenState[.., 3, ..]) > 1e-4);
    }

    [Fact]
    public void SaveAndLoadRoundTripsWithOptionalPositionIds()
    {
        using var model = ClipTextModel.FromPretrained(Fixtures.Path("tiny-sd", "text_encoder"));
        string dir = Directory.CreateTempSubdirectory("penumbra-clip").FullName;
        model.SavePretrained(dir);
        var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["text_model.embeddings.position_ids"] = arange(77L).unsqueeze(0);
        SafetensorsWriter.Save(Path.Combine(dir, "model.safetensors"), tensors);
        using var reloaded = ClipTextModel.FromPretrained(dir);
        foreach (var (key, t) in model.state_dict())
            Assert.True(t.eq(reloaded.state_dict()[key]).all().item<bool>(), key);
    }

    [Fact]
    public void MissingWeightIsNamed()
    {
        using var model = ClipTextModel.FromPretrained(Fixtures.Path("tiny-sd", "text_encoder"));
        string dir = Directory.CreateTempSubdirectory("penumbra-clip").FullName;
        model.SavePretrained(dir);
        var tensors = model.state_dict().Where(kv => kv.Key != "text_model.final_layer_norm.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        SafetensorsWriter.Save(Path.Combine(dir, "model.safetensors"), tensors);
        var e = Assert.Throws<CheckpointFormatException>(() => ClipTextModel.FromPretrained(dir));
        Assert.Contains("text_model.final_layer_norm.bias", e.Message);
    }

    [Fact]
    public void UnknownActivationIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => new ClipTextModel(new CLIPTextConfig { HiddenSize = 8, NumAttentionHeads = 2, HiddenAct = "mish" }));
        Assert.Contains("mish", e.Message);
    }

    /// <summary>Loading in half precision converts every weight; the output stays near the float32 reference.</summary>
    [Theory]
    [InlineData(ScalarType.BFloat16, 0.1)]
    [InlineData(ScalarType.Float16, 0.02)]
    public void LoadsInReducedPrecision(ScalarType dtype, double tolerance)
    {
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "text_encoder.safetensors"));
        using var model = ClipTextModel.FromPretrained(Fixtures.Path("tiny-sd", "text_encoder"), dtype: dtype);
        Assert.All(model.parameters(), p => Assert.Equal(dtype, p.dtype));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        using var result = model.Forward(reference.Load("in.input_ids"));
        Assert.Equal(dtype, result.LastHiddenState.dtype);
        double err = MaxAbs(result.LastHiddenState, reference.Load("out.last_hidden_state"));
        output.WriteLine($"{dtype}: last_hidden_state max abs error {err:E2}");
        Assert.True(err <= tolerance, $"{dtype}: {err}");
    }
}
