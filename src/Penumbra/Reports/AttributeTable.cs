namespace Penumbra.Reports;

/// <summary>Proportions of one attribute's classes per group, with fairness scores.</summary>
public sealed record AttributeTable(string Attribute, IReadOnlyList<string> Classes, IReadOnlyList<AttributeRow> Rows);
