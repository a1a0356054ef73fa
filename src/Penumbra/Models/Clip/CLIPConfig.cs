using System.Text.Json;
using System.Text.Json.Serialization;
using Penumbra.Configs;
using Penumbra.IO;

namespace Penumbra.Models.Clip;

/// <summary>transformers 4.36 <c>CLIPConfig</c>: a text and a vision config plus the projection size and the initial
/// logit scale. <see cref="Load"/> also reads the config of a single tower.</summary>
public sealed record CLIPConfig
{
    public const string FileName = "config.json";

    public CLIPTextConfig TextConfig { get; init; } = new();
    public CLIPVisionConfig VisionConfig { get; init; } = new();
    public int ProjectionDim { get; init; } = 512;
    public double LogitScaleInitValue { get; init; } = 2.6592;
    public string ModelType { get; init; } = "clip";
    public string[]? Architectures { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    public static CLIPConfig Load(string path) => ConfigJson.Load<CLIPConfig>(path);

    /// <summary>The text config of a <c>config.json</c>: a CLIPTextConfig file, or the <c>text_config</c> of a CLIPConfig
    /// with the CLIPConfig's <c>projection_dim</c> (the size of its <c>text_projection</c>; transformers would keep the
    /// nested default and fail on such weights).</summary>
    public static CLIPTextConfig LoadText(string path)
    {
        var obj = ConfigJson.LoadObject(path);
        if (!obj.ContainsKey("text_config")) return ConfigJson.Load<CLIPTextConfig>(path);
        var clip = Load(path);
        return clip.TextConfig with { ProjectionDim = clip.ProjectionDim };
    }

    /// <summary>The vision config of a <c>config.json</c>: a CLIPVisionConfig file, or the <c>vision_config</c> of a CLIPConfig
    /// with the CLIPConfig's <c>projection_dim</c>.</summary>
    public static CLIPVisionConfig LoadVision(string path)
    {
        var obj = ConfigJson.LoadObject(path);
        if (obj.ContainsKey("vision_config"))
        {
            var clip = Load(path);
            return clip.VisionConfig with { ProjectionDim = clip.ProjectionDim };
        }
        if (obj.ContainsKey("text_config") || !obj.ContainsKey("patch_size"))
            throw new CheckpointFormatException(path, "not a CLIP vision config (no 'vision_config' and no 'patch_size')");
        return ConfigJson.Load<CLIPVisionConfig>(path);
    }
}
