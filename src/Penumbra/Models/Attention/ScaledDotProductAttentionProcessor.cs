using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// diffusers' <c>AttnProcessor2_0</c>: projections, libtorch's <c>scaled_dot_product_attention</c> (scale
/// <c>dim_head^-0.5</c>), <c>to_out</c>, optional residual and output rescale; [B, C, H, W] inputs are attended as
/// H·W tokens. When the layer asks for <c>upcast_attention</c> / <c>upcast_softmax</c> and the input is half precision,
/// the attention itself runs in float32 and the result is cast back (no effect in float32).
/// </summary>
public sealed class ScaledDotProductAttentionProcessor : IAttentionProcessor
{
    public static readonly ScaledDotProductAttentionProcessor Instance = new();

    public Tensor Process(Attention attn, Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var residual = hiddenStates;
        var x = hiddenStates;
        bool spatial = x.dim() == 4;
        long b = x.shape[0], c = x.shape[1], h = spatial ? x.shape[2] : 0, w = spatial ? x.shape[3] : 0;
        if (spatial) x = x.view(b, c, h * w).transpose(1, 2);
        if (attn.GroupNorm is not null) x = attn.GroupNorm.call(x.transpose(1, 2)).transpose(1, 2);

        var query = attn.ToQ.call(x);
        var context = encoderHiddenStates ?? x;
        var key = attn.ToK.call(context);
        var value = attn.ToV.call(context);

        long batch = context.shape[0];
        long headDim = key.shape[^1] / attn.Heads;
        var dtype = query.dtype;
        query = query.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        key = key.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        value = value.view(batch, -1, attn.Heads, headDim).transpose(1, 2);
        bool upcast = (attn.UpcastAttention || attn.UpcastSoftmax) && dtype is ScalarType.Float16 or ScalarType.BFloat16;
        if (upcast)
        {
            query = query.to(ScalarType.Float32);
            key = key.to(ScalarType.Float32);
            value = value.to(ScalarType.Float32);
        }
        var o = nn.functional.scaled_dot_product_attention(query, key, value);
        o = o.transpose(1, 2).reshape(batch, -1, attn.Heads * headDim).to(dtype);

        o = attn.OutDropout.call(attn.ToOut.call(o));
        if (spatial) o = o.transpose(-1, -2).reshape(b, c, h, w);
        if (attn.ResidualConnection) o = o + residual;
        if (attn.RescaleOutputFactor != 1.0) o = o / attn.RescaleOutputFactor;
        return scope.MoveToOuter(o);
    }
}
