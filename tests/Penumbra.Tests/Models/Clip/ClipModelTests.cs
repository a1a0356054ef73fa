using Penumbra.IO;
using Penumbra.Models.Clip;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Clip;

/// <summary><c>reference/clip.safetensors</c> with <c>tiny-clip</c> (fixtures/README.md section 10), from the stored
/// <c>in.pixel_values</c>, <c>in.input_ids</c> and <c>in.attention_mask</c>.</summary>
public class ClipModelTests(ITestOutputHelper output)
{
    /// <summary>fixtures/README.md, "Tolerances": CLIP outputs max abs diff &lt;= 1e-4.</summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public void ClipModelMatchesTransformers()
    {
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "clip.safetensors"));
        using var model = ClipModel.FromPretrained(Fixtures.Path("tiny-clip"));
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var ids = reference.Load("in.input_ids");
        var mask = reference.Load("in.attention_mask");
        var pixels = reference.Load("in.pixel_values");
        using var result = model.Forward(ids, pixels, mask);
        var imageFeatures = model.GetImageFeatures(pixels);
        var textFeatures = model.GetTextFeatures(ids, mask);

        var checks = new Dictionary<string, Tensor>
        {
            ["out.vision.last_hidden_state"] = result.Vision.LastHiddenState,
            ["out.vision.pooler_output"] = result.Vision.PooledOutput,
            ["out.text.last_hidden_state"] = result.Text.LastHiddenState,
            ["out.text.pooler_output"] = result.Text.PooledOutput,
            ["out.image_features"] = imageFeatures,
            ["out.text_features"] = textFeatures,
            ["out.image_embeds"] = result.ImageEmbeds,
            ["out.text_embeds"] = result.TextEmbeds,
            ["out.logits_per_image"] = result.LogitsPerImage,
            ["out.logits_per_text"] = result.LogitsPerText,
            ["out.logit_scale"] = model.LogitScale.reshape(1),
        };
        Assert.Equal(reference.Keys.Where(k => k.StartsWith("out.", StringComparison.Ordinal)).OrderBy(k => k), checks.Keys.OrderBy(k => k));
        foreach (var (key, actual) in checks)
        {
            double err = ClipTextModelTests.MaxAbs(actual, reference.Load(key));
            output.WriteLine($"{key}: max abs error {err:E2}");
            Assert.True(err <= Tolerance, $"{key}: max abs error {err:E3} > {Tolerance:E0}");
        }
    }

    [Fact]
    public void ParameterCountEqualsFile()
    {
        string folder = Fixtures.Path("tiny-clip");
        using var model = ClipModel.FromPretrained(folder);
        using var file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        long fileElements = file.Keys.Where(k => !k.EndsWith("position_ids", StringComparison.Ordinal))
            .Sum(k => file.Info(k).Shape.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(fileElements, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void WrongImageSizeIsNamed()
    {
        using var model = new ClipModel(new CLIPConfig
        {
            VisionConfig = new CLIPVisionConfig { ImageSize = 16, PatchSize = 8, HiddenSize = 8, NumAttentionHeads = 2, IntermediateSize = 8, NumHiddenLayers = 1 },
            TextConfig = new CLIPTextConfig { HiddenSize = 8, NumAttentionHeads = 2, IntermediateSize = 8, NumHiddenLayers = 1, VocabSize = 10, MaxPositionEmbeddings = 4 },
        });
        using var pixels = zeros(1, 3, 32, 32);
        var e = Assert.Throws<ArgumentException>(() => model.GetImageFeatures(pixels));
        Assert.Contains("16", e.Message);
    }

    /// <summary>The towers alone, from folders holding the tiny CLIP's config and only their keys: the projection
    /// variants must give <c>get_text_features</c> / <c>get_image_features</c>.</summary>
    [Fact]
    public void TowersWithProjectionLoadAloneAndMatch()
    {
        string folder = Fixtures.Path("tiny-clip");
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "clip.safetensors"));
        using var file = SafetensorsFile.Open(Path.Combine(folder, "model.safetensors"));
        string Subset(string prefix, string projection)
        {
            string dir = Directory.CreateTempSubdirectory("penumbra-clip-tower").FullName;
            File.Copy(Path.Combine(folder, "config.json"), Path.Combine(dir, "config.json"));
            var tensors = file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) || k == projection)
                .ToDictionary(k => k, k => file.Load(k));
            SafetensorsWriter.Save(Path.Combine(dir, "model.safetensors"), tensors);
            return dir;
        }
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        using var text = ClipTextModel.FromPretrained(Subset("text_model.", ClipTextModel.ProjectionKey));
        using var vision = ClipVisionModel.FromPretrained(Subset("vision_model.", ClipVisionModel.ProjectionKey));
        Assert.True(text.HasProjection && vision.HasProjection);
        using var t = text.Forward(reference.Load("in.input_ids"), reference.Load("in.attention_mask"));
        using var v = vision.Forward(reference.Load("in.pixel_values"));
        Assert.True(ClipTextModelTests.MaxAbs(t.TextEmbeds!, reference.Load("out.text_features")) <= Tolerance);
        Assert.True(ClipTextModelTests.MaxAbs(v.ImageEmbeds!, reference.Load("out.image_features")) <= Tolerance);
        Assert.True(ClipTextModelTests.MaxAbs(v.LastHiddenState, reference.Load("out.vision.last_hidden_state")) <= Tolerance);
        Assert.Equal(0.0, ClipTextModelTests.MaxAbs(text.FinalLayerNorm(t.HiddenStates[^1]), t.LastHiddenState));
    }
}
