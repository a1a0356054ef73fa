namespace Penumbra.Editing;

/// <summary>
/// How <see cref="SpuriousFeatureEditor.Plan"/> chooses the edit: strategy <c>auto</c> (every strategy, best
/// validation worst-group accuracy), <c>H1</c> or <c>H2</c>; degree null = auto (best on <see cref="Grid"/>) or a
/// value in [0,1]; the class (and attribute) of the sub-class, or null for every class; group labels or clustering.
/// </summary>
public sealed record EditOptions
{
    public string Strategy { get; init; } = "auto";
    public double? Degree { get; init; }
    public int? ClassIndex { get; init; }
    public int? Attribute { get; init; }
    public bool UseGroupLabels { get; init; } = true;
    public int Seed { get; init; }
    public IReadOnlyList<double> Grid { get; init; } = Tenths;

    public static readonly IReadOnlyList<double> Tenths = Enumerable.Range(0, 11).Select(i => i / 10.0).ToArray();
}
