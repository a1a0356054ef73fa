using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Unets;
using Penumbra.MoE;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Penumbra.Checkpoints;

/// <summary>
/// An original LDM inference yaml (v1-inference.yaml, v2-inference-v.yaml style), read as diffusers'
/// <c>create_unet_diffusers_config</c> / <c>create_vae_diffusers_config</c> do: block_out_channels = model_channels ·
/// channel_mult, cross-attention at the levels whose downsampling factor is in <c>attention_resolutions</c>,
/// attention_head_dim = num_heads, or (model_channels / num_head_channels) · channel_mult with
/// <c>use_linear_in_transformer</c>; VAE from <c>ddconfig</c>; scaling factor from <c>scale_factor</c>; v-prediction
/// when <c>parameterization: "v"</c>. SDXL configs (<c>network_config</c>) are refused.
/// </summary>
public sealed record LdmYamlConfig(
    LdmTextEncoderKind TextEncoderKind,
    bool VPrediction,
    double LinearStart,
    double LinearEnd,
    int Timesteps,
    JsonObject UNetParams,
    JsonObject VaeParams,
    double ScaleFactor,
    string Path)
{
    public static LdmYamlConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: original config file not found", path);
        JsonNode? root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path)) stream.Load(reader);
            root = stream.Documents.Count == 0 ? null : YamlToJson.Convert(stream.Documents[0].RootNode);
        }
        catch (Exception e) when (e is YamlException or FormatException or InvalidCastException)
        {
            throw new CheckpointFormatException(path, $"not a valid yaml file: {e.Message}", e);
        }
        var p = root?["model"]?["params"] as JsonObject ?? throw new CheckpointFormatException(path, "no model.params: not an LDM config");
        if (p["network_config"] is not null)
            throw new CheckpointFormatException(path, "an SDXL config (model.params.network_config): SDXL single files are not supported yet");
        var unet = p["unet_config"]?["params"] as JsonObject ?? throw new CheckpointFormatException(path, "no model.params.unet_config.params");
        var vae = p["first_stage_config"]?["params"]?["ddconfig"] as JsonObject ?? throw new CheckpointFormatException(path, "no model.params.first_stage_config.params.ddconfig");
        string target = p["cond_stage_config"]?["target"]?.GetValue<string>() ?? "";
        var kind = target.Split('.')[^1] switch
        {
            "FrozenCLIPEmbedder" => LdmTextEncoderKind.Clip,
            "FrozenOpenCLIPEmbedder" => LdmTextEncoderKind.OpenClip,
            _ => throw new CheckpointFormatException(path, $"cond_stage_config.target '{target}' is not supported (FrozenCLIPEmbedder or FrozenOpenCLIPEmbedder)"),
        };
        return new LdmYamlConfig(kind, p["parameterization"]?.GetValue<string>() == "v",
            Number(p["linear_start"]) ?? LdmSchedulers.DefaultLinearStart, Number(p["linear_end"]) ?? LdmSchedulers.DefaultLinearEnd,
            (int)(Number(p["timesteps"]) ?? 1000), unet, vae, Number(p["scale_factor"]) ?? 0.18215, path);
    }

    public UNet2DConditionConfig UNet(int imageSize)
    {
        int mc = Int(UNetParams, "model_channels");
        var mult = Ints(UNetParams, "channel_mult");
        var attention = UNetParams["attention_resolutions"] is JsonArray a ? a.Select(x => (int)ConfigJsonNumber(x)).ToHashSet() : new HashSet<int>();
        int n = mult.Length;
        var down = new string[n];
        var up = new string[n];
        int resolution = 1;
        for (int i = 0; i < n; i++)
        {
            down[i] = attention.Contains(resolution) ? "CrossAttnDownBlock2D" : "DownBlock2D";
            if (i != n - 1) resolution *= 2;
        }
        for (int i = 0; i < n; i++)
        {
            up[i] = attention.Contains(resolution) ? "CrossAttnUpBlock2D" : "UpBlock2D";
            resolution /= 2;
        }
        bool linear = UNetParams["use_linear_in_transformer"] is JsonValue v && v.GetValue<bool>();
        IntOrList? heads = UNetParams["num_heads"] is { } h && ConfigJsonNumber(h) > 0 ? (int)ConfigJsonNumber(h) : null;
        if (heads is null && linear) heads = IntOrList.Of(mult.Select(m => mc / Int(UNetParams, "num_head_channels") * m).ToArray());
        int depth = UNetParams["transformer_depth"] is { } d ? (int)ConfigJsonNumber(d is JsonArray da ? da[0]! : d) : 1;
        int context = UNetParams["context_dim"] is { } c ? (int)ConfigJsonNumber(c is JsonArray ca ? ca[0]! : c) : 768;
        int vaeScale = 1 << (Ints(VaeParams, "ch_mult").Length - 1);
        return new UNet2DConditionConfig
        {
            SampleSize = imageSize / vaeScale,
            InChannels = Int(UNetParams, "in_channels"),
            OutChannels = Int(UNetParams, "out_channels"),
            DownBlockTypes = down,
            UpBlockTypes = up,
            BlockOutChannels = mult.Select(m => mc * m).ToArray(),
            LayersPerBlock = Int(UNetParams, "num_res_blocks"),
            CrossAttentionDim = context,
            AttentionHeadDim = heads ?? throw new CheckpointFormatException(Path, "unet_config.params has neither num_heads nor num_head_channels with use_linear_in_transformer"),
            UseLinearProjection = linear,
            TransformerLayersPerBlock = depth,
            UpcastAttention = TextEncoderKind == LdmTextEncoderKind.OpenClip,
        };
    }

    public AutoencoderKLConfig Vae(int imageSize)
    {
        int ch = Int(VaeParams, "ch");
        var mult = Ints(VaeParams, "ch_mult");
        return new AutoencoderKLConfig
        {
            SampleSize = imageSize,
            InChannels = Int(VaeParams, "in_channels"),
            OutChannels = Int(VaeParams, "out_ch"),
            DownBlockTypes = Enumerable.Repeat("DownEncoderBlock2D", mult.Length).ToArray(),
            UpBlockTypes = Enumerable.Repeat("UpDecoderBlock2D", mult.Length).ToArray(),
            BlockOutChannels = mult.Select(m => ch * m).ToArray(),
            LatentChannels = Int(VaeParams, "z_channels"),
            LayersPerBlock = Int(VaeParams, "num_res_blocks"),
            ScalingFactor = ScaleFactor,
        };
    }

    private int Int(JsonObject o, string key) =>
        o[key] is { } v ? (int)ConfigJsonNumber(v) : throw new CheckpointFormatException(Path, $"missing key '{key}'");

    private int[] Ints(JsonObject o, string key) =>
        o[key] is JsonArray a ? a.Select(x => (int)ConfigJsonNumber(x!)).ToArray() : throw new CheckpointFormatException(Path, $"missing list '{key}'");

    private static double ConfigJsonNumber(JsonNode? n) =>
        n is JsonValue v && double.TryParse(v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString(),
            System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
            ? d : throw new FormatException($"'{n?.ToJsonString()}' is not a number");

    private static double? Number(JsonNode? n) => n is null ? null : ConfigJsonNumber(n);
}
