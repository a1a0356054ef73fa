using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>
/// diffusers' <c>Transformer2DModel</c> for continuous input: <c>norm</c> (GroupNorm, eps 1e-6), <c>proj_in</c>,
/// <c>transformer_blocks</c>, <c>proj_out</c>, plus the input as residual. The projections are 1x1 convolutions
/// applied before flattening (SD 1.x) or, with <c>use_linear_projection</c>, Linear layers on the [B, H·W, C] tokens (SD 2.x).
/// </summary>
public sealed class Transformer2DModel : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm;
    private readonly nn.Module<Tensor, Tensor> proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly nn.Module<Tensor, Tensor> proj_out;
    private readonly bool _linear;

    public Transformer2DModel(int heads, int headDim, long inChannels, int numLayers, long normNumGroups,
        long? crossAttentionDim, bool useLinearProjection, bool upcastAttention = false, double dropout = 0.0)
        : base(nameof(Transformer2DModel))
    {
        long inner = (long)heads * headDim;
        norm = GroupNorms.Create(normNumGroups, inChannels, 1e-6);
        proj_in = useLinearProjection ? nn.Linear(inChannels, inner) : nn.Conv2d(inChannels, inner, 1);
        transformer_blocks = nn.ModuleList(Enumerable.Range(0, numLayers)
            .Select(_ => new BasicTransformerBlock(inner, heads, headDim, crossAttentionDim, dropout, upcastAttention)).ToArray());
        proj_out = useLinearProjection ? nn.Linear(inner, inChannels) : nn.Conv2d(inner, inChannels, 1);
        _linear = useLinearProjection;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        long b = hiddenStates.shape[0], hgt = hiddenStates.shape[2], wid = hiddenStates.shape[3];
        var h = norm.call(hiddenStates);
        long inner;
        if (_linear)
        {
            inner = h.shape[1];
            h = proj_in.call(h.permute(0, 2, 3, 1).reshape(b, hgt * wid, inner));
            inner = h.shape[2];
        }
        else
        {
            h = proj_in.call(h);
            inner = h.shape[1];
            h = h.permute(0, 2, 3, 1).reshape(b, hgt * wid, inner);
        }
        foreach (var block in transformer_blocks) h = block.call(h, encoderHiddenStates);
        h = _linear
            ? proj_out.call(h).reshape(b, hgt, wid, -1).permute(0, 3, 1, 2).contiguous()
            : proj_out.call(h.reshape(b, hgt, wid, inner).permute(0, 3, 1, 2).contiguous());
        return scope.MoveToOuter(h + hiddenStates);
    }
}
