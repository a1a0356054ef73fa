namespace Penumbra.Checkpoints;

/// <summary>What happens to a tensor between the LDM layout and diffusers (besides the key).</summary>
public enum LdmTensorTransform
{
    None,
    /// <summary>A 1×1 convolution weight [C,C,1,1] in the original is a linear weight [C,C] in diffusers.</summary>
    ConvToLinear,
    /// <summary>One original tensor is the concatenation along dim 0 of several diffusers tensors (OpenCLIP's
    /// <c>in_proj_weight</c> / <c>in_proj_bias</c> = q, k, v projections, in that order).</summary>
    Concat,
}
