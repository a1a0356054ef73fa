namespace Penumbra.Uncertainty;

/// <summary>How EMoE routes the MoE layers after the split: pinned to the path's expert, or normal gating per path.</summary>
public enum EmoeMode
{
    Expert,
    Routed,
}
