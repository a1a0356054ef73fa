using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>Settings of <see cref="SpuriousEditExperiment"/>: seeds, ERM training, the edit choice, which baselines to run.</summary>
public sealed record ExperimentOptions
{
    public IReadOnlyList<int> Seeds { get; init; } = new[] { 0, 1, 2 };
    public TrainOptions Train { get; init; } = new();
    public EditOptions Edit { get; init; } = new();
    public bool RunReweighting { get; init; } = true;
    public bool RunDfr { get; init; } = true;
    public bool RunClusteredEdit { get; init; } = true;
}
