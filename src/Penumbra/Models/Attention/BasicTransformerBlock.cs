using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// diffusers' <c>BasicTransformerBlock</c> (layer-norm variant): <c>norm1</c> + <c>attn1</c> (self-attention),
/// <c>norm2</c> + <c>attn2</c> (cross-attention on the encoder hidden states), <c>norm3</c> + <c>ff</c> (GEGLU), each
/// added to the residual stream. <c>ff</c> is typed <c>Module&lt;Tensor, Tensor&gt;</c> so a mixture of experts can
/// replace it (<see cref="Common.ModuleReplacer"/>).
/// </summary>
public sealed class BasicTransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Attention attn1;
    private readonly LayerNorm norm2;
    private readonly Attention attn2;
    private readonly LayerNorm norm3;
    private readonly nn.Module<Tensor, Tensor> ff;

    public BasicTransformerBlock(long dim, int heads, int headDim, long? crossAttentionDim, double dropout = 0.0,
        bool upcastAttention = false, double normEps = 1e-5) : base(nameof(BasicTransformerBlock))
    {
        norm1 = nn.LayerNorm(dim, normEps);
        attn1 = new Attention(dim, null, heads, headDim, dropout, upcastAttention: upcastAttention);
        norm2 = nn.LayerNorm(dim, normEps);
        attn2 = new Attention(dim, crossAttentionDim, heads, headDim, dropout, upcastAttention: upcastAttention);
        norm3 = nn.LayerNorm(dim, normEps);
        ff = new FeedForward(dim, dropout: dropout);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = attn1.call(norm1.call(hiddenStates), null) + hiddenStates;
        h = attn2.call(norm2.call(h), encoderHiddenStates) + h;
        h = ff.call(norm3.call(h)) + h;
        return scope.MoveToOuter(h);
    }
}
