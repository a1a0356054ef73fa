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
    [InlineData("tiny-sd/unet", new[] { 8, 8 })]
    [InlineData("tiny-sd2/unet", new[] { 2, 4 })]
    public void AttentionHeadDimIsTheHeadCount(string folder, int[] heads)
    {
        var c = ConfigJson.Load<UNet2DConditionConfig>(Fixtures.Path(folder, "config.json"));
        using var model = new UNet2DConditionModel(c);
        var down = (Attention)ModulePaths.Find(model, "down_blocks.0.attentions.0.transformer_blocks.0.attn1");
        var mid = (Attention)ModulePaths.Find(model, "mid_block.attentions.0.transformer_blocks.0.attn2");
        Assert.Equal(heads[0], down.Heads);
        Assert.Equal(c.BlockOutChannels[0] / heads[0], down.DimHead);
        Assert.Equal(heads[^1], mid.Heads);
        Assert.Equal(c.BlockOutChannels[^1] / heads[^1], mid.DimHead);
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

    [Fact]
    public void UnknownKeysSurviveASave()
    {
        var dir = Directory.CreateTempSubdirectory("unet-config").FullName;
        try
        {
            var path = Fixtures.Path("moe", "tiny-segmoe", "unet", "config.json");
            var c = ConfigJson.Load<UNet2DConditionConfig>(path);
            Assert.NotNull(c.Extra);
            Assert.True(c.Extra!.ContainsKey("segmoe_config"));
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
            var json = File.ReadAllText(Fixtures.Path("tiny-sd", "unet", "config.json")).Replace("\"DownBlock2D\"", "\"SkipDownBlock2D\"");
            File.WriteAllText(Path.Combine(dir, "config.json"), json);
            File.Copy(Fixtures.Path("tiny-sd", "unet", UNet2DConditionModel.WeightsFileName), Path.Combine(dir, UNet2DConditionModel.WeightsFileName));
            var e = Assert.Throws<CheckpointFormatException>(() => UNet2DConditionModel.FromPretrained(dir));
            Assert.Contains("down_block_types[1]", e.Message);
            Assert.Contains("'SkipDownBlock2D'", e.Message);
            Assert.Contains(Path.Combine(dir, "config.json"), e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("\"class_embed_type\": null", "\"class_embed_type\": \"timestep\"", "class_embed_type")]
    [InlineData("\"mid_block_type\": \"UNetMidBlock2DCrossAttn\"", "\"mid_block_type\": \"UNetMidBlock2DSimpleCrossAttn\"", "mid_block_type")]
    [InlineData("\"attention_head_dim\": 8", "\"attention_head_dim\": [8, 8, 8]", "attention_head_dim")]
    public void UnsupportedSettingsAreNamed(string from, string to, string key)
    {
        var json = File.ReadAllText(Fixtures.Path("tiny-sd", "unet", "config.json"));
        Assert.Contains(from, json);
        var c = ConfigJson.Parse<UNet2DConditionConfig>(json.Replace(from, to));
        var e = Assert.Throws<ArgumentException>(() => new UNet2DConditionModel(c));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void ConfigRecordReadsEveryKeyOfTheFixture()
    {
        var c = ConfigJson.Load<UNet2DConditionConfig>(Fixtures.Path("tiny-sd2", "unet", "config.json"));
        Assert.Null(c.Extra);
        Assert.True(c.UseLinearProjection);
        Assert.True(c.UpcastAttention);
        Assert.Equal(new[] { 2, 4 }, c.AttentionHeadDim.Values);
        Assert.False(c.AttentionHeadDim.IsScalar);
        Assert.Equal(JsonValueKind.Null, c.ReverseTransformerLayersPerBlock?.ValueKind ?? JsonValueKind.Null);
    }
}
