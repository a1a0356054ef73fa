namespace Penumbra.Reports;

/// <summary>
/// One prompt of an audit, the unit of analysis: prompt-level scores averaged over seeds, image metrics averaged
/// over all images of all seeds, attribute class counts over all images, prompt length in words (whitespace
/// separated) and characters, and the first few images for grids.
/// </summary>
public sealed record PromptSummary(
    string Id, string Text, IReadOnlyDictionary<string, string> Groups, bool? OutOfDistribution,
    IReadOnlyDictionary<string, double> Scores, IReadOnlyDictionary<string, double> ImageMetrics,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> AttributeCounts, IReadOnlyList<ImageRef> Images)
{
    public int Words => Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    public int Characters => Text.Length;

    /// <summary>A named value of this prompt: a score, an image metric, or "words" / "characters"; NaN when absent.</summary>
    public double Value(string name) =>
        Scores.TryGetValue(name, out var s) ? s
        : ImageMetrics.TryGetValue(name, out var m) ? m
        : name == "words" ? Words : name == "characters" ? Characters : double.NaN;
}
