using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.MoE;

/// <summary>One entry of a SegMoE config's <c>experts</c> list: the model (a diffusers folder, relative to the config's
/// folder) and the prompt pair that describes what it is good at (positive) and bad at (negative).</summary>
public sealed record SegMoeExpert
{
    public required string NegativePrompt { get; init; }
    public required string PositivePrompt { get; init; }
    public required string SourceModel { get; init; }

    /// <summary>Keys segmoe does not read (kept and written back).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
