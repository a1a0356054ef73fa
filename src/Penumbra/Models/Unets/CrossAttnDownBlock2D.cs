using Penumbra.Models.Attention;
using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>CrossAttnDownBlock2D</c>: per layer <c>resnets.i</c> then <c>attentions.i</c>
/// (<see cref="Transformer2DModel"/> with <c>out_channels / heads</c> channels per head), then an optional
/// <c>downsamplers.0</c>.</summary>
public sealed class CrossAttnDownBlock2D : UNetDownBlock
{
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public CrossAttnDownBlock2D(UNetBlockSpec s) : base(nameof(CrossAttnDownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, s.NumLayers).Select(i =>
            new ResnetBlock2D(i == 0 ? s.InChannels : s.OutChannels, s.OutChannels, s.TembChannels, s.Groups, s.Eps, s.ActFn, s.Dropout)).ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, s.NumLayers).Select(_ =>
            new Transformer2DModel(s.Heads, (int)(s.OutChannels / s.Heads), s.OutChannels, s.TransformerLayers, s.Groups,
                s.CrossAttentionDim, s.UseLinearProjection, s.UpcastAttention, s.Dropout)).ToArray());
        downsamplers = s.AddSampler ? nn.ModuleList(new Downsample2D(s.OutChannels, s.OutChannels, s.DownsamplePadding)) : null;
        RegisterComponents();
    }

    public override (Tensor Hidden, Tensor[] Residuals) forward(Tensor hiddenStates, Tensor temb, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        var h = hiddenStates;
        for (int i = 0; i < resnets.Count; i++)
        {
            h = resnets[i].call(h, temb);
            h = attentions[i].call(h, encoderHiddenStates);
            outputs.Add(h);
        }
        if (downsamplers is not null)
        {
            foreach (var down in downsamplers) h = down.call(h);
            outputs.Add(h);
        }
        scope.MoveToOuter(outputs.Append(h));
        return (h, outputs.ToArray());
    }
}
