using Penumbra.Reports;

namespace Penumbra.Uncertainty;

/// <summary>Direction evidence of EMoE on the toy world: AUROC of each score separating <c>in</c> from out-of-distribution
/// prompts (higher score = OOD; token length, router entropy and seed variance are the baselines), the same per OOD set
/// (<see cref="AurocBySet"/>: score → set → AUROC of <c>in</c> against that set alone), Spearman(EU, checker score) with a
/// percentile-bootstrap 95% interval, the same at fixed token length (partial Spearman, emoe.md §5.4), and EU of the Finnish prompts against their
/// English originals (means and the fraction of pairs where the Finnish EU is higher).</summary>
public sealed record EmoeToyReport(IReadOnlyList<EmoeToyPrompt> Prompts, IReadOnlyDictionary<string, double> Auroc,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> AurocBySet, Interval SpearmanEuChecker, double MeanCheckerScore,
    double MeanEuEnglish, double MeanEuFinnish, double FinnishHigherFraction)
{
    public Interval SpearmanEuCheckerGivenLength { get; init; } = Interval.None;

    /// <summary>Per unseen concept (<see cref="EmoeToyEvaluation.UnseenConcepts"/>): AUROC of EU separating the <c>in</c>
    /// prompts from the <c>unseen</c> prompts stating that concept, and how many state it.</summary>
    public IReadOnlyDictionary<string, (double Auroc, int Prompts)> EuAurocByConcept { get; init; } = new Dictionary<string, (double, int)>();
}
