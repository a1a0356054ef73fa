using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>DownBlock2D</c>: <c>resnets</c>, then an optional <c>downsamplers.0</c>. No attention.</summary>
public sealed class DownBlock2D : UNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public DownBlock2D(UNetBlockSpec s) : base(nameof(DownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, s.NumLayers).Select(i =>
            new ResnetBlock2D(i == 0 ? s.InChannels : s.OutChannels, s.OutChannels, s.TembChannels, s.Groups, s.Eps, s.ActFn, s.Dropout)).ToArray());
        downsamplers = s.AddSampler ? nn.ModuleList(new Downsample2D(s.OutChannels, s.OutChannels, s.DownsamplePadding)) : null;
        RegisterComponents();
    }

    public override (Tensor Hidden, Tensor[] Residuals) forward(Tensor hiddenStates, Tensor temb, Tensor? encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>();
        var h = hiddenStates;
        foreach (var resnet in resnets)
        {
            h = resnet.call(h, temb);
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
