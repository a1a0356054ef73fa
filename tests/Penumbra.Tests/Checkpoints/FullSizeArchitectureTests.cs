using System.Text.Json.Nodes;
using Penumbra.Checkpoints;
using Penumbra.Configs;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Tests.Models.Unets;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Checkpoints;

/// <summary>The architecture inferred from the tensor shapes of a full-size SD 1.5 / SD 2.1 single file equals the
/// diffusers configs of fixtures/configs (the shapes come from the models built on the meta device, converted to the
/// original keys with the same tables; for OpenCLIP the layers the text encoder uses, the unused last one set aside as
/// <see cref="SingleFileLayout"/> does).</summary>
[Collection(nameof(MetaDeviceCollection))]
public class FullSizeArchitectureTests
{
    [Theory]
    [InlineData("sd15", LdmTextEncoderKind.Clip, 512)]
    [InlineData("sd21", LdmTextEncoderKind.OpenClip, 768)]
    public void ShapesGiveTheDiffusersConfigs(string model, LdmTextEncoderKind kind, int imageSize)
    {
        string Config(string c) => Fixtures.Path("configs", model, c, "config.json");
        var unet = ConfigJson.Load<UNet2DConditionConfig>(Config("unet"));
        var vae = ConfigJson.Load<AutoencoderKLConfig>(Config("vae"));
        var text = CLIPConfig.LoadText(Config("text_encoder"));

        var vaeShapes = OriginalShapes(() => new AutoencoderKL(vae), LdmVaeKeys.Build(vae));
        var inferredVae = LdmArchitecture.Vae(vaeShapes, imageSize, 0.18215, model);
        AssertSameJson(vae with { Extra = null }, inferredVae);

        var unetShapes = OriginalShapes(() => new UNet2DConditionModel(unet), LdmUNetKeys.Build(unet));
        AssertSameJson(unet with { Extra = null }, LdmArchitecture.UNet(unetShapes, kind, imageSize, 1 << (vae.BlockOutChannels.Length - 1), model));

        var table = kind == LdmTextEncoderKind.Clip ? LdmTextKeys.Clip() : LdmTextKeys.OpenClip(text.NumHiddenLayers);
        var textShapes = OriginalShapes(() => new ClipTextModel(text), table);
        AssertSameJson(text with { Extra = null, Architectures = null }, LdmArchitecture.TextEncoder(textShapes, kind, model));
    }

    private static Dictionary<string, long[]> OriginalShapes(Func<nn.Module> build, LdmKeyTable table)
    {
        using var m = Penumbra.Checkpoints.MetaModelLoader.BuildOnMeta(build);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (key, t) in m.state_dict())
        {
            var o = table.ToOriginal(key)!;
            long[] s = o.Transform == LdmTensorTransform.ConvToLinear ? new[] { t.shape[0], t.shape[1], 1L, 1L } : t.shape;
            if (o.Transform == LdmTensorTransform.Concat) s = new[] { t.shape[0] * o.Parts }.Concat(t.shape[1..]).ToArray();
            shapes[o.Original] = s;
        }
        return shapes;
    }

    private static void AssertSameJson<T>(T expected, T actual)
    {
        var a = JsonNode.Parse(ConfigJson.Serialize(expected))!;
        var b = JsonNode.Parse(ConfigJson.Serialize(actual))!;
        Assert.True(JsonNode.DeepEquals(a, b), $"expected {a.ToJsonString()}\nactual   {b.ToJsonString()}");
    }
}
