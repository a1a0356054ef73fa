using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPEncoderLayer</c>: pre-norm self-attention and MLP, each with a residual.</summary>
public sealed class CLIPEncoderLayer : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    private readonly CLIPAttention self_attn;
    private readonly LayerNorm layer_norm1;
    private readonly CLIPMLP mlp;
    private readonly LayerNorm layer_norm2;

    public CLIPEncoderLayer(int hiddenSize, int numHeads, int intermediateSize, string hiddenAct, double layerNormEps)
        : base(nameof(CLIPEncoderLayer))
    {
        self_attn = new CLIPAttention(hiddenSize, numHeads);
        layer_norm1 = nn.LayerNorm(hiddenSize, layerNormEps);
        mlp = new CLIPMLP(hiddenSize, intermediateSize, hiddenAct);
        layer_norm2 = nn.LayerNorm(hiddenSize, layerNormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor? causalMask, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var h = hidden + self_attn.call(layer_norm1.call(hidden), causalMask, attentionMask);
        h = h + mlp.call(layer_norm2.call(h));
        return scope.MoveToOuter(h);
    }
}
