namespace Penumbra.MoE;

/// <summary>Which modules of each transformer block SegMoE turns into mixtures of experts (<c>moe_layers</c>).</summary>
public enum MoeLayers
{
    /// <summary><c>ff</c>: the feed-forward network as a whole.</summary>
    FeedForward,

    /// <summary><c>attn</c>: <c>attn1.to_q/to_k/to_v</c> and <c>attn2.to_q/to_k/to_v</c> (segmoe's default).</summary>
    Attention,

    /// <summary><c>all</c>: both.</summary>
    All,
}
