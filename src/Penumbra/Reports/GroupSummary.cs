namespace Penumbra.Reports;

/// <summary>The mean of a value within one group, with its bootstrap interval.</summary>
public sealed record GroupSummary(string Group, int Count, Interval Mean);
