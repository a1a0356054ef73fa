namespace Penumbra.Editing;

/// <summary>One strategy applied to one sub-class: its edit, its validation curve and its best degree.</summary>
public sealed record EditCandidate(SingleWeightEdit Edit, IReadOnlyList<DegreePoint> Curve, double BestAlpha)
{
    public GroupAccuracy Best => Curve.First(p => p.Alpha == BestAlpha).Accuracy;
}
