namespace Penumbra.Debias;

/// <summary>How the images of one prompt were classified: a count per class, and the images no class was found in.</summary>
public sealed record AttributeCounts(string Prompt, IReadOnlyDictionary<string, int> Counts, int Unclassified)
{
    /// <summary>p_k over <paramref name="classes"/> among the classified images (NaN when none was classified).</summary>
    public double[] Distribution(IReadOnlyList<string> classes) => Reports.Fairness.Distribution(Counts, classes);
}
