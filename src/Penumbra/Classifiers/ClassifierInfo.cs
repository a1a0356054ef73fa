using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Classifiers;

/// <summary>
/// <c>classifier.json</c> beside <c>model.safetensors</c>: the architecture (<c>resnet18</c>, <c>resnet50</c>,
/// <c>toy-shape-cnn</c>), the class and attribute names, and the data it was trained on (free text).
/// </summary>
public sealed record ClassifierInfo
{
    public string Architecture { get; init; } = "resnet50";
    public int NumClasses { get; init; } = 2;
    public string[] ClassNames { get; init; } = Array.Empty<string>();
    public string[] AttributeNames { get; init; } = Array.Empty<string>();
    public string? Data { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
