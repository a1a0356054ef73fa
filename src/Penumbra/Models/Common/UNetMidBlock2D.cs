using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// diffusers' <c>UNetMidBlock2D</c> with attention (the VAE encoder/decoder mid block): <c>resnets.0</c>, then
/// per layer an <c>attentions.i</c> (single-head spatial <see cref="Attention.Attention"/> with <c>group_norm</c>, residual
/// connection and <c>upcast_softmax</c>) and <c>resnets.i+1</c>.
/// </summary>
public sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly ModuleList<Attention.Attention> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2D(long inChannels, long? tembChannels, long groups, double eps, string actFn, int attentionHeadDim,
        int numLayers = 1, double dropout = 0.0, double outputScaleFactor = 1.0) : base(nameof(UNetMidBlock2D))
    {
        var res = new List<ResnetBlock2D> { new(inChannels, inChannels, tembChannels, groups, eps, actFn, dropout, outputScaleFactor) };
        var att = new List<Attention.Attention>();
        for (int i = 0; i < numLayers; i++)
        {
            att.Add(new Attention.Attention(inChannels, null, (int)(inChannels / attentionHeadDim), attentionHeadDim, bias: true,
                upcastSoftmax: true, normNumGroups: groups, eps: eps, residualConnection: true, rescaleOutputFactor: outputScaleFactor));
            res.Add(new ResnetBlock2D(inChannels, inChannels, tembChannels, groups, eps, actFn, dropout, outputScaleFactor));
        }
        attentions = nn.ModuleList(att.ToArray());
        resnets = nn.ModuleList(res.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].call(hiddenStates, temb);
        for (int i = 0; i < attentions.Count; i++)
        {
            h = attentions[i].call(h, null);
            h = resnets[i + 1].call(h, temb);
        }
        return scope.MoveToOuter(h);
    }
}
