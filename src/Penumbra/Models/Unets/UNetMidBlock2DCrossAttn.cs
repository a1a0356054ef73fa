using Penumbra.Models.Attention;
using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>UNetMidBlock2DCrossAttn</c>: <c>resnets.0</c>, then per layer <c>attentions.i</c> and
/// <c>resnets.i+1</c>; forward <c>(hidden_states, temb, encoder_hidden_states)</c>.</summary>
public sealed class UNetMidBlock2DCrossAttn : UNetMidBlock
{
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2DCrossAttn(long inChannels, long tembChannels, long groups, double eps, string actFn, long crossAttentionDim,
        int heads, bool useLinearProjection, bool upcastAttention, int transformerLayers = 1, int numLayers = 1,
        double dropout = 0.0, double outputScaleFactor = 1.0) : base(nameof(UNetMidBlock2DCrossAttn))
    {
        var res = new List<ResnetBlock2D> { new(inChannels, inChannels, tembChannels, groups, eps, actFn, dropout, outputScaleFactor) };
        var att = new List<Transformer2DModel>();
        for (int i = 0; i < numLayers; i++)
        {
            att.Add(new Transformer2DModel(heads, (int)(inChannels / heads), inChannels, transformerLayers, groups, crossAttentionDim,
                useLinearProjection, upcastAttention, dropout));
            res.Add(new ResnetBlock2D(inChannels, inChannels, tembChannels, groups, eps, actFn, dropout, outputScaleFactor));
        }
        attentions = nn.ModuleList(att.ToArray());
        resnets = nn.ModuleList(res.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates, Tensor temb, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].call(hiddenStates, temb);
        for (int i = 0; i < attentions.Count; i++)
        {
            h = attentions[i].call(h, encoderHiddenStates);
            h = resnets[i + 1].call(h, temb);
        }
        return scope.MoveToOuter(h);
    }
}
