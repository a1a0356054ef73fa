namespace Penumbra.MoE;

/// <summary>One module SegMoE converts (or hooks for gate vectors): its path in the UNet and its kind.</summary>
/// <param name="Path">State-dict prefix, e.g. <c>down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k</c>.</param>
/// <param name="Kind">Which of the seven module kinds it is.</param>
/// <param name="TransformerBlock">The path of its transformer block.</param>
public sealed record MoeSlot(string Path, MoeModuleKind Kind, string TransformerBlock);
