namespace Penumbra.Reports;

/// <summary>One quartile of a score: its index (1 = lowest score), size, score range and the means of the other columns.</summary>
public sealed record QuartileRow(int Quartile, int Count, double ScoreMin, double ScoreMax, IReadOnlyDictionary<string, double> Means);
