namespace Penumbra.Editing;

/// <summary>
/// The fictitious sub-class S(y,a) of class <see cref="ClassIndex"/>: sample indices (into the annotated feature set)
/// of class y that carry the spurious cue (<see cref="Members"/>) and those of class y that do not (<see cref="Rest"/>).
/// <see cref="Source"/> says how it was found (group labels or clustering).
/// </summary>
public sealed record Subclass(int ClassIndex, int Attribute, int[] Members, int[] Rest, string Source)
{
    public override string ToString() => $"S(y={ClassIndex}, a={Attribute}) [{Source}]: {Members.Length} vs {Rest.Length} samples";
}
