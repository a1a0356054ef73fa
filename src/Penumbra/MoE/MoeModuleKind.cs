namespace Penumbra.MoE;

/// <summary>The seven module kinds of a transformer block that SegMoE can convert, with their path below the block.</summary>
public enum MoeModuleKind
{
    FeedForward,
    SelfQuery,
    SelfKey,
    SelfValue,
    CrossQuery,
    CrossKey,
    CrossValue,
}
