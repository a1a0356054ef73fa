namespace Penumbra.Reports;

/// <summary>Attribute class proportions over the images of one group's prompts (pooled), and the group's fairness
/// score (mean over its prompts of the L2 distance from uniform, <see cref="Fairness"/>).</summary>
public sealed record AttributeRow(string Column, string Group, int Prompts, int Images, IReadOnlyList<double> Proportions, double FairnessScore);
