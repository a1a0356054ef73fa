using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Models.Clip;

/// <summary>transformers 4.36 <c>CLIPVisionConfig</c>; initial values are transformers' defaults (ViT-B/32).</summary>
public sealed record CLIPVisionConfig
{
    public int HiddenSize { get; init; } = 768;
    public int IntermediateSize { get; init; } = 3072;
    public int ProjectionDim { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int NumChannels { get; init; } = 3;
    public int ImageSize { get; init; } = 224;
    public int PatchSize { get; init; } = 32;
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;
    public double AttentionDropout { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    public double InitializerFactor { get; init; } = 1.0;
    public string ModelType { get; init; } = "clip_vision_model";
    public string[]? Architectures { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
