namespace Penumbra.Uncertainty;

/// <summary>Which latent of each path EMoE takes the variance of (shared/methods/emoe.md step 6 and the latent ablation).</summary>
public enum EmoeLatent
{
    /// <summary>The mid block's output (the input of <c>up_blocks[0]</c>): the paper's choice and the default.</summary>
    MPost,

    /// <summary>The mid block's input (the last down block's output).</summary>
    MPre,

    /// <summary>The latent after the scheduler step taken with the path's full noise prediction (z_1 at the first step).</summary>
    Z,
}
