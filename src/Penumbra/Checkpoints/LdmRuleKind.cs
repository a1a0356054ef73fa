namespace Penumbra.Checkpoints;

/// <summary>How the parameter names inside one module differ between the LDM layout and diffusers.</summary>
public enum LdmRuleKind
{
    /// <summary>Same names inside the module (attention blocks, convolutions, the CLIP tower).</summary>
    Same,
    /// <summary>UNet resnet: <c>in_layers.0/2</c>, <c>emb_layers.1</c>, <c>out_layers.0/3</c>, <c>skip_connection</c> =
    /// <c>norm1</c>, <c>conv1</c>, <c>time_emb_proj</c>, <c>norm2</c>, <c>conv2</c>, <c>conv_shortcut</c>.</summary>
    Resnet,
    /// <summary>VAE resnet: <c>nin_shortcut</c> = <c>conv_shortcut</c>, the rest unchanged.</summary>
    VaeResnet,
    /// <summary>VAE mid-block attention: <c>norm, q, k, v, proj_out</c> = <c>group_norm, to_q, to_k, to_v, to_out.0</c>;
    /// the four weights are 1×1 convolutions [C,C,1,1] in the original and linear [C,C] in diffusers.</summary>
    VaeAttention,
}
