using System.Text.Json;
using Penumbra.IO;
using Penumbra.MoE;

namespace Penumbra.Toy.Models;

/// <summary>
/// Which concepts the four toy experts are kept from: the experts' training subsets and the core all of them see (what
/// <c>--base core</c> trains the shared base or the trunk's own cross-attention on, and what <c>uncertainty evaluate-toy</c>
/// draws its in-distribution prompts from). A run is evaluated against the set it was trained with.
/// </summary>
/// <param name="Name">The name <c>toy train --expert-set</c> and <c>uncertainty evaluate-toy --expert-set</c> take.</param>
public sealed record ToyExpertSet(string Name, string Description, ToyExpertSpec Core, IReadOnlyList<ToyExpertSpec> Experts)
{
    /// <summary>The bundled model's set (<see cref="ToyWorld.Experts"/>): no triangles / no purple / only left and centre /
    /// everything with half the rows.</summary>
    public static ToyExpertSet Concepts { get; } = new("concepts", "no triangles / no purple / left and centre only / everything, half the rows",
        ToyWorld.Core, ToyWorld.Experts);

    /// <summary>Every expert misses one colour (<see cref="ToyWorld.ColourExperts"/>): a colour is what a pixel-space model
    /// shows from its first step on, where a shape or a position is not drawn yet.</summary>
    public static ToyExpertSet Colours { get; } = new("colours", "no green / no purple / no white / everything, half the rows",
        ToyWorld.ColourCore, ToyWorld.ColourExperts);

    public static IReadOnlyList<ToyExpertSet> All { get; } = new[] { Concepts, Colours };

    /// <summary>The set named <paramref name="name"/>; throws naming the known ones otherwise.</summary>
    public static ToyExpertSet Named(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown toy expert set '{name}': use {KnownNames}");

    private static ToyExpertSet? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>"concepts or colours": the names to offer in an error.</summary>
    public static string KnownNames => string.Join(" or ", All.Select(s => s.Name));

    /// <summary>The key of a SegMoE YAML that names the set a toy mixture's experts were trained with (segmoe ignores it
    /// and keeps it in <c>segmoe_config</c>, so the built model records it).</summary>
    public const string ConfigKey = "toy_expert_set";

    /// <summary>The set <paramref name="config"/> records under <see cref="ConfigKey"/>, or null when it records none; an
    /// unknown name or a value that is not a string is an error naming the config's file.</summary>
    public static ToyExpertSet? RecordedIn(SegMoeConfig config)
    {
        if (config.Extra is null || !config.Extra.TryGetValue(ConfigKey, out var value)) return null;
        string source = config.SourcePath ?? "segmoe_config";
        if (value.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException(source, $"{ConfigKey}: expected a set name, got {value.GetRawText()}");
        string name = value.GetString()!;
        return Find(name) ?? throw new CheckpointFormatException(source, $"{ConfigKey}: unknown toy expert set '{name}' (use {KnownNames})");
    }

    /// <summary>The experts with a house shape each (<see cref="ToyWorld.WithHouseShapes"/>) when <paramref name="houseShapes"/>.</summary>
    public IReadOnlyList<ToyExpertSpec> ExpertsFor(bool houseShapes) => houseShapes ? ToyWorld.WithHouseShapes(Experts) : Experts;
}
