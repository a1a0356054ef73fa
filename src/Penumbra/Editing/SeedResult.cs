namespace Penumbra.Editing;

/// <summary>
/// One seed of the experiment: every method's test accuracy, the chosen edit (with its validation curves), the test
/// degree curve of the chosen edit, and how many state-dict elements the applied edit changed.
/// </summary>
public sealed record SeedResult(int Seed, IReadOnlyList<MethodResult> Methods, EditPlan Plan, IReadOnlyList<DegreePoint> TestCurve,
    IReadOnlyList<StateDictDiff.Change> Changes, IReadOnlyList<double> TrainLosses);
