using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>UpBlock2D</c>: per layer, concatenate the next skip connection and run <c>resnets.i</c>;
/// then an optional <c>upsamplers.0</c>. No attention.</summary>
public sealed class UpBlock2D : UNetUpBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public UpBlock2D(UNetBlockSpec s) : base(nameof(UpBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, s.NumLayers).Select(i =>
        {
            long skip = i == s.NumLayers - 1 ? s.InChannels : s.OutChannels;
            long input = i == 0 ? s.PrevOutputChannels : s.OutChannels;
            return new ResnetBlock2D(input + skip, s.OutChannels, s.TembChannels, s.Groups, s.Eps, s.ActFn, s.Dropout);
        }).ToArray());
        upsamplers = s.AddSampler ? nn.ModuleList(new Upsample2D(s.OutChannels, s.OutChannels)) : null;
        RegisterComponents();
    }

    public override int ResnetCount => resnets.Count;

    public override Tensor forward(Tensor hiddenStates, Tensor[] residuals, Tensor temb, Tensor? encoderHiddenStates, long[]? upsampleSize)
    {
        using var scope = NewDisposeScope();
        var h = hiddenStates;
        for (int i = 0; i < resnets.Count; i++)
            h = resnets[i].call(cat(new[] { h, residuals[residuals.Length - 1 - i] }, 1), temb);
        if (upsamplers is not null)
            foreach (var up in upsamplers) h = up.call(h, upsampleSize);
        return scope.MoveToOuter(h);
    }
}
