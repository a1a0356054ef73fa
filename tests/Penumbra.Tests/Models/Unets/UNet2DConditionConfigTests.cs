using System.Text.Json;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Attention;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Models.Unets;

public class UNet2DConditionConfigTests
{
    [Fact]
    public void MissingKeysTakeDiffusersDefaults()
    {
        var c = ConfigJson.Parse<UNet2DConditionConfig>("{\"block_out_channels\": [32, 64]}");
        Assert.Equal(new[] { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" }, c.DownBlockTypes);
        Assert.Equal(1280, c.CrossAttentionDim.For(0, 4));
        Assert.Equal(2, c.LayersPerBlock.For(3, 4));
        Assert.Null(c.NumAttentionHeads);
        Assert.True(c.FlipSinToCos);
        Assert.Equal(32, c.NormNumGroups);
        Assert.Equal("UNetMidBlock2DCrossAttn", c.MidBlockType);
    }

    [Theory]
    [InlineData("tiny-sd/unet")]
    [InlineData("tiny-sd2/unet")]
    public void AttentionHeadDimIsTheHeadCount(string folder)
    {
        var path = Fixtures.Path(folder, "config.json");
        var json = ConfigJson.LoadObject(path);
        Assert.Null(json["num_attention_heads"]);
        var node = json["attention_head_dim"]!;
        var channels = json["block_out_channels"]!.AsArray().Select(v => (int)v!).ToArray();
        int HeadsAt(int i) => node is System.Text.Json.Nodes.JsonArray a ? (int)a[i]! : (int)node;

        using var model = new UNet2DConditionModel(ConfigJson.Load<UNet2DConditionConfig>(path));
        var down = (Attention)ModulePaths.Find(model, "down_blocks.0.attentions.0.transformer_blocks.0.attn1");
        var mid = (Attention)ModulePaths.Find(model, "mid_block.attentions.0.transformer_blocks.0.attn2");
        Assert.Equal(HeadsAt(0), down.Heads);
        Assert.Equal(channels[0] / HeadsAt(0), down.DimHead);
        Assert.Equal(HeadsAt(channels.Length - 1), mid.Heads);
        Assert.Equal(channels[^1] / HeadsAt(channels.Length - 1), mid.DimHead);
    }

    [Fact]
    public void ExplicitNumAttentionHeadsWins()
    {
        var c = new UNet2DConditionConfig
        {
            BlockOutChannels = new[] { 32, 64 }, DownBlockTypes = new[] { "CrossAttnDownBlock2D", "DownBlock2D" },
            UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D" }, NormNumGroups = 8, LayersPerBlock = 1,
            CrossAttentionDim = 16, AttentionHeadDim = 8, NumAttentionHeads = IntOrList.Of(4, 2),
        };
        using var model = new UNet2DConditionModel(c);
        Assert.Equal(4, ((Attention)ModulePaths.Find(model, "down_blocks.0.attentions.0.transformer_blocks.0.attn1")).Heads);
        Assert.Equal(2, ((Attention)ModulePaths.Find(model, "mid_block.attentions.0.transformer_blocks.0.attn1")).Heads);
    }

    [Theory]
    [InlineData("tiny-sd/unet", false)]
    [InlineData("tiny-sd2/unet", false)]
    [InlineData("moe/tiny-segmoe/unet", true)]
    public void EveryKeySurvivesASave(string folder, bool hasUnknownKeys)
    {
        var dir = Directory.CreateTempSubdirectory("unet-config").FullName;
        try
        {
            var path = Fixtures.Path(folder, "config.json");
            var c = ConfigJson.Load<UNet2DConditionConfig>(path);
            Assert.Equal(hasUnknownKeys, c.Extra is { Count: > 0 });
            if (hasUnknownKeys) Assert.True(c.Extra!.ContainsKey("segmoe_config"));
            var saved = Path.Combine(dir, "config.json");
            ConfigJson.Save(saved, c);
            var original = ConfigJson.LoadObject(path);
            var written = ConfigJson.LoadObject(saved);
            Assert.Equal(original.Select(kv => kv.Key).Order(), written.Select(kv => kv.Key).Order());
            foreach (var (key, value) in original)
                Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(value, written[key]), $"{key}: {value?.ToJsonString()} != {written[key]?.ToJsonString()}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnknownBlockTypeIsNamedWithItsKeyAndFile()
    {
        var dir = Directory.CreateTempSubdirectory("unet-bad").FullName;
        try
        {
            var json = ConfigJson.LoadObject(Fixtures.Path("tiny-sd", "unet", "config.json"));
            var types = json["down_block_types"]!.AsArray();
            int last = types.Count - 1;
            types[last] = "SkipDownBlock2D";
            File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString());
            File.Copy(Fixtures.Path("tiny-sd", "unet", UNet2DConditionModel.WeightsFileName), Path.Combine(dir, UNet2DConditionModel.WeightsFileName));
            var e = Assert.Throws<CheckpointFormatException>(() => UNet2DConditionModel.FromPretrained(dir));
            Assert.Contains($"down_block_types[{last}]", e.Message);
            Assert.Contains("'SkipDownBlock2D'", e.Message);
            Assert.Contains(Path.Combine(dir, "config.json"), e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    public static TheoryData<string> UnsupportedKeys => new() { "class_embed_type", "mid_block_type", "attention_head_dim", "up_block_types" };

    [Theory]
    [MemberData(nameof(UnsupportedKeys))]
    public void UnsupportedOrInconsistentSettingsAreNamed(string key)
    {
        var c = ConfigJson.Load<UNet2DConditionConfig>(Fixtures.Path("tiny-sd", "unet", "config.json"));
        int n = c.BlockOutChannels.Length;
        var bad = key switch
        {
            "class_embed_type" => c with { ClassEmbedType = "timestep" },
            "mid_block_type" => c with { MidBlockType = "UNetMidBlock2DSimpleCrossAttn" },
            "attention_head_dim" => c with { AttentionHeadDim = IntOrList.Of(Enumerable.Repeat(1, n + 1).ToArray()) },
            _ => c with { UpBlockTypes = c.UpBlockTypes.Take(n - 1).ToArray() },
        };
        var e = Assert.Throws<ArgumentException>(() => new UNet2DConditionModel(bad));
        Assert.Contains(key, e.Message);
    }
}
