namespace Penumbra.Editing;

/// <summary>
/// The chosen edit and degree, with the validation curve of every candidate (strategy × sub-class) that was tried.
/// <see cref="Validation"/> is the annotated set the choice was made on (pseudo-groups when clustered).
/// </summary>
public sealed record EditPlan(SingleWeightEdit Edit, double Alpha, IReadOnlyList<EditCandidate> Candidates)
{
    public EditCandidate Chosen => Candidates.First(c => ReferenceEquals(c.Edit, Edit));
}
