using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>
/// transformers' <c>CLIPAttention</c>: multi-head self-attention with <c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>,
/// <c>out_proj</c>; the query is scaled by <c>head_dim^-0.5</c>, then the causal mask and the attention mask
/// (additive, <c>[B,1,T,T]</c>, either may be null) are added in that order before the softmax.
/// </summary>
public sealed class CLIPAttention : nn.Module<Tensor, Tensor?, Tensor?, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;
    private readonly int _heads;
    private readonly double _scale;

    public CLIPAttention(int embedDim, int numHeads) : base(nameof(CLIPAttention))
    {
        if (numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentException($"hidden_size {embedDim} is not divisible by num_attention_heads {numHeads}");
        _heads = numHeads;
        _scale = Math.Pow(embedDim / numHeads, -0.5);
        q_proj = nn.Linear(embedDim, embedDim);
        k_proj = nn.Linear(embedDim, embedDim);
        v_proj = nn.Linear(embedDim, embedDim);
        out_proj = nn.Linear(embedDim, embedDim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor? causalMask, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        long b = hidden.shape[0], t = hidden.shape[1], c = hidden.shape[2];
        Tensor Heads(Tensor x) => x.view(b, t, _heads, c / _heads).transpose(1, 2);
        var q = Heads(q_proj.call(hidden) * _scale);
        var k = Heads(k_proj.call(hidden));
        var v = Heads(v_proj.call(hidden));
        var weights = torch.matmul(q, k.transpose(-1, -2));
        if (causalMask is not null) weights = weights + causalMask;
        if (attentionMask is not null) weights = weights + attentionMask;
        var probs = weights.softmax(-1);
        var output = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, c);
        return scope.MoveToOuter(out_proj.call(output));
    }
}
