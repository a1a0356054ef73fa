namespace Penumbra.Uncertainty;

/// <summary>Per-word attribution of EMoE's EU: the prompt and every variant with one word removed (words split on
/// whitespace, the rest joined with single spaces) are scored in one batch with the same seed and options; words are
/// ranked by <see cref="WordAttribution.Contribution"/>, largest first (ties keep word order).</summary>
public static class EmoeAttribution
{
    public static string[] Words(string prompt) => prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The prompt without word <paramref name="index"/>.</summary>
    public static string Without(IReadOnlyList<string> words, int index) =>
        string.Join(' ', words.Where((_, i) => i != index));

    /// <summary>Scores <paramref name="prompt"/> and its one-word-removed variants; returns the full prompt's result (caller
    /// disposes) and the ranked attributions (empty for a prompt without words).</summary>
    public static (EmoeResult Full, IReadOnlyList<WordAttribution> Ranked) Attribute(EmoeEstimator estimator, string prompt, EmoeOptions options)
    {
        var words = Words(prompt);
        var batch = new List<string> { prompt };
        batch.AddRange(Enumerable.Range(0, words.Length).Select(i => Without(words, i)));
        var results = estimator.Score(batch, options);
        var full = results[0];
        var attributions = new List<WordAttribution>();
        for (int i = 0; i < words.Length; i++)
        {
            var r = results[i + 1];
            attributions.Add(new WordAttribution(i, words[i], r.Eu, full.Eu - r.Eu));
            r.Dispose();
        }
        return (full, attributions.OrderByDescending(a => a.Contribution).ThenBy(a => a.Index).ToArray());
    }
}
