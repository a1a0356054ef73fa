namespace Penumbra.Uncertainty;

/// <summary>One prompt of the toy evaluation: its set (<c>in</c>: English, only concepts every expert saw; <c>unseen</c>:
/// English with a concept some experts never saw; <c>finnish</c>: the <c>in</c> prompt <see cref="PairIndex"/> written with the
/// grammar's Finnish words, a language no expert saw) and its scores (checker NaN when images were not generated).</summary>
public sealed record EmoeToyPrompt(string Prompt, string Set, int PairIndex)
{
    public bool OutOfDistribution => Set != EmoeToyEvaluation.InSet;
    /// <summary>The unseen concepts the prompt states (<see cref="EmoeToyEvaluation.UnseenConcepts"/>; empty outside <c>unseen</c>).</summary>
    public IReadOnlyList<string> Concepts { get; init; } = Array.Empty<string>();
    public double Eu { get; init; } = double.NaN;
    public double RouterEntropy { get; init; } = double.NaN;
    public int TokenLength { get; init; }
    public double SeedVariance { get; init; } = double.NaN;
    /// <summary>The other readings of the path latents by name (<see cref="PathDisagreements"/>).</summary>
    public IReadOnlyDictionary<string, double> PathMeasures { get; init; } = new Dictionary<string, double>();
    public double CheckerScore { get; init; } = double.NaN;
}
