using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Classifiers;

/// <summary>
/// Configuration of a torchvision-style ResNet (<c>config.json</c> beside <c>model.safetensors</c>):
/// depth 18 (BasicBlock, [2,2,2,2]) or 50 (Bottleneck, [3,4,6,3]) and the number of classes of <c>fc</c>.
/// </summary>
public sealed record ResNetConfig
{
    public int Depth { get; init; } = 50;
    public int NumClasses { get; init; } = 1000;

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Blocks per stage (layer1..layer4) and whether the blocks are bottlenecks.</summary>
    public (int[] Layers, bool Bottleneck) Layout() => Depth switch
    {
        18 => (new[] { 2, 2, 2, 2 }, false),
        34 => (new[] { 3, 4, 6, 3 }, false),
        50 => (new[] { 3, 4, 6, 3 }, true),
        101 => (new[] { 3, 4, 23, 3 }, true),
        152 => (new[] { 3, 8, 36, 3 }, true),
        _ => throw new ArgumentException($"ResNet depth {Depth} is not one of 18, 34, 50, 101, 152"),
    };
}
