using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>diffusers' <c>DownEncoderBlock2D</c>: <c>resnets</c> without time embedding, then an optional
/// <c>downsamplers.0</c> (in the VAE encoder with padding 0, i.e. asymmetric bottom/right padding).</summary>
public sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public DownEncoderBlock2D(long inChannels, long outChannels, int numLayers, long groups, double eps, string actFn,
        bool addDownsample, long downsamplePadding) : base(nameof(DownEncoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps, actFn)).ToArray());
        downsamplers = addDownsample ? nn.ModuleList(new Downsample2D(outChannels, outChannels, downsamplePadding)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.call(h, null);
        if (downsamplers is not null)
            foreach (var down in downsamplers) h = down.call(h);
        return scope.MoveToOuter(h);
    }
}
