using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Models.Clip;

/// <summary>transformers 4.36 <c>CLIPTextConfig</c> (the text encoder's <c>config.json</c>); initial values are
/// transformers' defaults. Unknown keys (generation settings etc.) are kept in <see cref="Extra"/>.</summary>
public sealed record CLIPTextConfig
{
    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int IntermediateSize { get; init; } = 2048;
    public int ProjectionDim { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int MaxPositionEmbeddings { get; init; } = 77;
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;
    public double AttentionDropout { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    public double InitializerFactor { get; init; } = 1.0;
    public int? PadTokenId { get; init; } = 1;
    public int? BosTokenId { get; init; } = 49406;
    public int? EosTokenId { get; init; } = 49407;
    public string ModelType { get; init; } = "clip_text_model";
    public string[]? Architectures { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
