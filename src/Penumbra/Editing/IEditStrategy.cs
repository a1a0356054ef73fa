using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// A single-weight edit strategy of the spec (<c>shared/methods/single-weight-edit.md</c>): from the head and the
/// annotated features of the sub-class S(y,a) versus S(y,not a), which scalar to change and its value at degree 1.
/// No gradient step: one pass of statistics.
/// </summary>
public interface IEditStrategy
{
    /// <summary>The spec's name, printed with every result: H1, H2.</summary>
    string Name { get; }
    string Description { get; }
    SingleWeightEdit Compute(LinearHead head, FeatureSet set, Subclass subclass);
}
