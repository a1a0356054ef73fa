namespace Penumbra.Debias;

/// <summary>The gate's verdict on one prompt: the expert it is routed to (<see cref="Identity"/> = none), the skew
/// s = ⟨z − Pz, u⟩ and the energy ‖z − Pz‖ it was decided from (see <see cref="BiasSubspace"/>), and why.</summary>
public readonly record struct GateDecision(int Expert, double Skew, double Energy, GateReason Reason)
{
    public const int Identity = -1;

    public bool IsIdentity => Expert == Identity;
}
