using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Configs;

public class DiffusersPipelineIndexTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-index").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Handmade = """
        {
          "_class_name": "StableDiffusionPipeline",
          "_diffusers_version": "0.25.0",
          "_name_or_path": "experts/e0",
          "feature_extractor": [null, null],
          "requires_safety_checker": false,
          "scheduler": ["diffusers", "DPMSolverMultistepScheduler"],
          "text_encoder": ["transformers", "CLIPTextModel"],
          "unet": ["diffusers", "UNet2DConditionModel"],
          "custom_list": [1, 2, 3]
        }
        """;

    [Fact]
    public void ReadsClassComponentsNullComponentsAndAttributes()
    {
        File.WriteAllText(Path.Combine(_dir, "model_index.json"), Handmade);
        var index = DiffusersPipelineIndex.Load(_dir);
        Assert.Equal("StableDiffusionPipeline", index.ClassName);
        Assert.Equal("0.25.0", index.DiffusersVersion);
        Assert.Equal(new[] { "feature_extractor", "scheduler", "text_encoder", "unet" }, index.Components.Select(c => c.Name));
        Assert.Equal(new DiffusersComponentSpec("feature_extractor", null, null), index.Component("feature_extractor"));
        Assert.False(index.Component("feature_extractor")!.IsPresent);
        Assert.Equal(new DiffusersComponentSpec("scheduler", "diffusers", "DPMSolverMultistepScheduler"), index.Component("scheduler"));
        Assert.Equal(new DiffusersComponentSpec("text_encoder", "transformers", "CLIPTextModel"), index.Component("text_encoder"));
        Assert.True(index.Component("unet")!.IsPresent);
        Assert.Null(index.Component("vae"));
        Assert.False(index.Extra["requires_safety_checker"].GetBoolean());
        Assert.Equal("experts/e0", index.Extra["_name_or_path"].GetString());
        Assert.Equal(3, index.Extra["custom_list"].GetArrayLength());
    }

    [Fact]
    public void SaveRoundTripsEveryKeySorted()
    {
        File.WriteAllText(Path.Combine(_dir, "model_index.json"), Handmade);
        var index = DiffusersPipelineIndex.Load(Path.Combine(_dir, "model_index.json"));
        string outDir = Path.Combine(_dir, "out");
        index.Save(outDir);
        var original = JsonNode.Parse(Handmade)!.AsObject();
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model_index.json")))!.AsObject();
        Assert.Equal(original.Select(p => p.Key).Order(StringComparer.Ordinal), written.Select(p => p.Key));
        foreach (var (k, v) in original) Assert.True(JsonNode.DeepEquals(v, written[k]), k);
        Assert.Equal(index.Components, DiffusersPipelineIndex.Load(outDir).Components);
    }

    [Theory]
    [InlineData("""{"unet": ["diffusers", "UNet2DConditionModel"]}""", "no _class_name")]
    [InlineData("""{"_class_name": 3}""", "_class_name is not a string")]
    [InlineData("""[1, 2]""", "invalid config")]
    [InlineData("""{"_class_name": "X", """, "invalid config")]
    public void BrokenIndexIsACheckpointFormatError(string json, string reason)
    {
        string path = Path.Combine(_dir, "model_index.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<CheckpointFormatException>(() => DiffusersPipelineIndex.Load(_dir));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void FolderWithoutIndexIsNotFound()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DiffusersPipelineIndex.Load(_dir));
        Assert.Contains("not a diffusers pipeline folder", e.Message);
    }

    public static TheoryData<string> FixtureIndexes()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Root, "model_index.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Fixtures.Root, Path.GetDirectoryName(f)!));
        return data;
    }

    /// <summary>Each fixture pipeline: the loader agrees with a plain JSON reading of the file, and every present
    /// component with weights has a folder whose weight file resolves.</summary>
    [Theory]
    [MemberData(nameof(FixtureIndexes))]
    public void FixturePipelinesMatchAPlainReading(string relative)
    {
        string dir = Fixtures.Path(relative);
        var index = DiffusersPipelineIndex.Load(dir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model_index.json")));
        Assert.Equal(doc.RootElement.GetProperty("_class_name").GetString(), index.ClassName);
        var pairs = doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).ToList();
        Assert.Equal(pairs.Select(p => p.Name), index.Components.Select(c => c.Name));
        foreach (var p in pairs)
        {
            var c = index.Component(p.Name)!;
            Assert.Equal(p.Value[0].ValueKind == JsonValueKind.Null ? null : p.Value[0].GetString(), c.Library);
            Assert.Equal(p.Value[1].ValueKind == JsonValueKind.Null ? null : p.Value[1].GetString(), c.ClassName);
            if (c.IsPresent && c.ClassName is "UNet2DConditionModel" or "AutoencoderKL" or "CLIPTextModel")
                Assert.EndsWith(".safetensors", DiffusersWeights.Resolve(Path.Combine(dir, c.Name)));
        }
    }
}
