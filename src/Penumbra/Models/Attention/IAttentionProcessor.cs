using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// The maths of an <see cref="Attention"/> layer (diffusers' attention processors): the layer owns the weights,
/// the processor decides how they are applied. Swap it with <see cref="Attention.Processor"/> to capture attention
/// maps or change the kernel without forking a block.
/// </summary>
public interface IAttentionProcessor
{
    /// <param name="attn">The layer whose <c>to_q/to_k/to_v/to_out</c> (and optional <c>group_norm</c>) are used.</param>
    /// <param name="hiddenStates">[B, N, C] tokens, or [B, C, H, W] feature maps (VAE mid block).</param>
    /// <param name="encoderHiddenStates">Context for cross-attention; null for self-attention.</param>
    Tensor Process(Attention attn, Tensor hiddenStates, Tensor? encoderHiddenStates);
}
