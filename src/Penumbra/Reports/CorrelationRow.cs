namespace Penumbra.Reports;

/// <summary>One score's headline numbers: Spearman with quality, with prompt length, and with quality at fixed prompt
/// length (partial Spearman, emoe.md §5.4) (bootstrap intervals), and AUROC / AUPR for out-of-distribution labels (NaN
/// without labels).</summary>
public sealed record CorrelationRow(string Score, int Count, Interval VersusQuality, Interval VersusWords, Interval VersusQualityGivenWords,
    double Auroc, double Aupr, int Labelled);
