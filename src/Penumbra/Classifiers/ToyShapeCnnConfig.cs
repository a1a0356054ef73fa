using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Classifiers;

/// <summary>
/// Configuration of <see cref="ToyShapeCnn"/> (<c>config.json</c> beside <c>model.safetensors</c>): the number of classes,
/// the output channels of the 3×3 convolution stages (the first has stride 1, the others stride 2) and the class names
/// (the toy world's shape words in class order; empty when unnamed).
/// </summary>
public sealed record ToyShapeCnnConfig
{
    public int NumClasses { get; init; } = 5;
    public int[] Channels { get; init; } = { 16, 32, 64, 64 };
    public string[] ClassNames { get; init; } = { "circle", "square", "triangle", "cross", "ring" };

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    public void Validate(string source = "ToyShapeCnnConfig")
    {
        if (NumClasses < 1) throw new ArgumentException($"{source}: num_classes = {NumClasses} must be positive");
        if (Channels.Length == 0 || Channels.Any(c => c < 1)) throw new ArgumentException($"{source}: channels [{string.Join(",", Channels)}] must be positive and not empty");
        if (ClassNames.Length != 0 && ClassNames.Length != NumClasses)
            throw new ArgumentException($"{source}: {ClassNames.Length} class_names for num_classes = {NumClasses}");
    }
}
