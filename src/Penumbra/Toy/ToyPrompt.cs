namespace Penumbra.Toy;

/// <summary>
/// The attributes a caption states (null = not mentioned). <see cref="UnknownWords"/> are the caption's words that are
/// neither attribute words nor function words of the grammar (concepts outside the toy world).
/// </summary>
public sealed record ToyPrompt(ToyShape? Shape = null, ToyColor? Color = null, ToyPosition? Position = null,
    ToySize? Size = null, ToyBackground? Background = null)
{
    public IReadOnlyList<string> UnknownWords { get; init; } = Array.Empty<string>();

    /// <summary>Number of stated attributes (0..5).</summary>
    public int StatedCount =>
        (Shape.HasValue ? 1 : 0) + (Color.HasValue ? 1 : 0) + (Position.HasValue ? 1 : 0) + (Size.HasValue ? 1 : 0) + (Background.HasValue ? 1 : 0);

    /// <summary>Whether a scene has every stated attribute.</summary>
    public bool IsSatisfiedBy(ToyScene scene) =>
        (Shape is null || Shape == scene.Shape) && (Color is null || Color == scene.Color) && (Position is null || Position == scene.Position)
        && (Size is null || Size == scene.Size) && (Background is null || Background == scene.Background);

    /// <summary>Whether this caption states every attribute <paramref name="filter"/> states, with the same value.</summary>
    public bool States(ToyPrompt filter) =>
        (filter.Shape is null || filter.Shape == Shape) && (filter.Color is null || filter.Color == Color)
        && (filter.Position is null || filter.Position == Position) && (filter.Size is null || filter.Size == Size)
        && (filter.Background is null || filter.Background == Background);

    /// <summary>Equality of the stated attributes (ignores <see cref="UnknownWords"/>).</summary>
    public bool SameAttributes(ToyPrompt other) =>
        Shape == other.Shape && Color == other.Color && Position == other.Position && Size == other.Size && Background == other.Background;
}
