using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.MoE;

public sealed class SegMoeConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segmoe-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FixtureYamlReadsWithPathsRelativeToItsFolder()
    {
        var config = SegMoeConfig.LoadYaml(Fixtures.Path("moe", "segmoe.yaml"));
        Assert.Equal("experts/e0", config.BaseModel);
        Assert.Equal(MoeLayers.All, config.Layers);
        Assert.Equal(2, config.NumExpertsPerTok);
        Assert.Equal(4, config.Experts.Count);
        Assert.Equal(0L, config.Seed);
        Assert.True(config.HiddenInit);
        Assert.Equal("a green triangle on white", config.Experts[2].PositivePrompt);
        Assert.Equal("dark colours, circles", config.Experts[2].NegativePrompt);
        Assert.Equal(Path.GetFullPath(Fixtures.Path("moe", "experts", "e1")), config.ResolvePath(config.Experts[1].SourceModel));
    }

    [Fact]
    public void YamlWithBlockRangesEqualsTheStoredSegMoeConfig()
    {
        var built = SegMoeConfig.LoadYaml(Fixtures.Path("moe", "segmoe.yaml")).ForUnet(downBlocks: 2, upBlocks: 2);
        var unetConfig = ConfigJson.LoadObject(Fixtures.Path("moe", "tiny-segmoe", "unet", "config.json"));
        var stored = JsonSerializer.SerializeToElement(unetConfig[SegMoeConfig.JsonKey]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(built.ToJson().GetRawText()), JsonNode.Parse(stored.GetRawText())),
            $"built {built.ToJson().GetRawText()}\nstored {stored.GetRawText()}");
        // Sorted keys, as Python's json.dumps(sort_keys=True) writes them.
        var keys = built.ToJson().EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);

        var reread = SegMoeConfig.FromJson(stored, "config.json");
        Assert.Equal((0, 1, 1, 2, 4), (reread.DownIdxStart!.Value, reread.DownIdxEnd!.Value, reread.UpIdxStart!.Value, reread.UpIdxEnd!.Value, reread.ExpertCount));
    }

    [Fact]
    public void DefaultsAreSegmoes()
    {
        var config = SegMoeConfig.LoadYaml(Write("type: sd\nbase_model: base\nexperts:\n" + Expert("a") + Expert("b")));
        Assert.Equal(1, config.NumExpertsPerTok);
        Assert.Equal(MoeLayers.Attention, config.Layers);
        Assert.Null(config.Seed);
        Assert.Equal(2, config.ExpertCount);
        Assert.Equal(Path.Combine(_dir, "a"), config.ResolvePath("a"));
    }

    [Fact]
    public void UnknownKeysAreKeptForTheStoredConfig()
    {
        var config = SegMoeConfig.LoadYaml(Write("type: sd\nbase_model: base\nnote: 'kept'\nscale: 1.5\nexperts:\n" + Expert("a") + Expert("b")));
        var json = config.ToJson();
        Assert.Equal("kept", json.GetProperty("note").GetString());
        Assert.Equal(1.5, json.GetProperty("scale").GetDouble());
    }

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "type: sd\nbase_model: b\nmoe_layers: attention\nexperts:\n" + Expert("a") + Expert("b"), "moe_layers: unknown value 'attention'" },
        { "type: sd\nbase_model: b\nexperts:\n" + Expert("a"), "experts: 1 expert(s)" },
        { "type: sd\nbase_model: b\nnum_experts_per_tok: 3\nexperts:\n" + Expert("a") + Expert("b"), "num_experts_per_tok: 3" },
        { "type: sd\nbase_model: b\nnum_experts_per_tok: 0\nexperts:\n" + Expert("a") + Expert("b"), "num_experts_per_tok: 0" },
        { "type: sd\nbase_model: b\nnum_experts: 3\nexperts:\n" + Expert("a") + Expert("b"), "num_experts: 3, but 2 experts" },
        { "type: sd15\nbase_model: b\nexperts:\n" + Expert("a") + Expert("b"), "type: unknown value 'sd15'" },
        { "type: sd\nexperts:\n" + Expert("a") + Expert("b"), "base_model: missing" },
        { "type: sd\nbase_model: b\n", "experts: missing" },
        { "type: sd\nbase_model: b\nexperts:\n" + Expert("a") + "- source_model: c\n  negative_prompt: n\n", "experts[1].positive_prompt: missing" },
        { "type: sd\nbase_model: b\nseed: zero\nexperts:\n" + Expert("a") + Expert("b"), "seed: expected an integer" },
        { "type: sd\nbase_model: [b\n", "invalid YAML" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void InvalidConfigsNameTheFileAndField(string yaml, string expected)
    {
        string path = Write(yaml);
        var e = Assert.Throws<CheckpointFormatException>(() => SegMoeConfig.LoadYaml(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData("type: sdxl\n")]
    [InlineData("")]
    public void SdxlIsNotSupportedYet(string typeLine)
    {
        string path = Write(typeLine + "base_model: b\nexperts:\n" + Expert("a") + Expert("b"));
        var e = Assert.Throws<NotSupportedException>(() => SegMoeConfig.LoadYaml(path));
        Assert.Contains("type: sdxl", e.Message);
    }

    [Fact]
    public void LorasAreNotSupported()
    {
        string path = Write("type: sd\nbase_model: b\nloras:\n- source_model: l\nexperts:\n" + Expert("a") + Expert("b"));
        Assert.Contains("loras", Assert.Throws<NotSupportedException>(() => SegMoeConfig.LoadYaml(path)).Message);
    }

    [Fact]
    public void StoredConfigNeedsBlockRanges()
    {
        var element = JsonDocument.Parse("""{"base_model": "b", "type": "sd", "moe_layers": "all", "num_experts": 2, "num_experts_per_tok": 1, "experts": []}""").RootElement;
        var e = Assert.Throws<CheckpointFormatException>(() => SegMoeConfig.FromJson(element, "unet/config.json"));
        Assert.Contains("down_idx_start: missing", e.Message);
    }

    private static string Expert(string source) => $"- source_model: {source}\n  positive_prompt: p {source}\n  negative_prompt: n {source}\n";

    private string Write(string yaml)
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
