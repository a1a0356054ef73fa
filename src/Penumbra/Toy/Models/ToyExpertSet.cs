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
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown toy expert set '{name}': use {string.Join(" or ", All.Select(s => s.Name))}");

    /// <summary>The experts with a house shape each (<see cref="ToyWorld.WithHouseShapes"/>) when <paramref name="houseShapes"/>.</summary>
    public IReadOnlyList<ToyExpertSpec> ExpertsFor(bool houseShapes) => houseShapes ? ToyWorld.WithHouseShapes(Experts) : Experts;
}
