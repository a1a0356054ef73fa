using Penumbra.Models.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>Unfused attention (diffusers' <c>AttnProcessor</c>: scores = QKᵀ·scale, softmax, ·V as separate ops), to
/// measure what libtorch's fused <c>scaled_dot_product_attention</c> gains. UNet token attention only (no group norm,
/// no spatial input, no residual).</summary>
public sealed class ExplicitAttentionProcessor : IAttentionProcessor
{
    public Tensor Process(Attention attn, Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        if (hiddenStates.dim() != 3 || attn.GroupNorm is not null || attn.ResidualConnection)
            throw new NotSupportedException("the explicit benchmark processor handles UNet token attention only");
        using var scope = NewDisposeScope();
        var context = encoderHiddenStates ?? hiddenStates;
        long batch = hiddenStates.shape[0];
        var q = attn.ToQ.call(hiddenStates);
        var k = attn.ToK.call(context);
        var v = attn.ToV.call(context);
        long headDim = k.shape[^1] / attn.Heads;
        q = q.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        k = k.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        v = v.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        var scores = q.matmul(k.transpose(-1, -2)).mul_(1.0 / Math.Sqrt(headDim));
        var o = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(batch, -1, attn.Heads * headDim);
        o = attn.OutDropout.call(attn.ToOut.call(o));
        return scope.MoveToOuter(attn.RescaleOutputFactor == 1.0 ? o : o / attn.RescaleOutputFactor);
    }
}
