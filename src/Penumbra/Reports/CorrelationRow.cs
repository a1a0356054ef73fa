namespace Penumbra.Reports;

/// <summary>One score's headline numbers: Spearman with quality and with prompt length (bootstrap intervals), and
/// AUROC / AUPR for out-of-distribution labels (NaN without labels).</summary>
public sealed record CorrelationRow(string Score, int Count, Interval VersusQuality, Interval VersusWords, double Auroc, double Aupr, int Labelled);
