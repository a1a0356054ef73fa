using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>diffusers' <c>UpDecoderBlock2D</c>: <c>resnets</c> without time embedding, then an optional
/// <c>upsamplers.0</c> (nearest x2 + conv).</summary>
public sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public UpDecoderBlock2D(long inChannels, long outChannels, int numLayers, long groups, double eps, string actFn, bool addUpsample)
        : base(nameof(UpDecoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, numLayers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps, actFn)).ToArray());
        upsamplers = addUpsample ? nn.ModuleList(new Upsample2D(outChannels, outChannels)) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.call(h, null);
        if (upsamplers is not null)
            foreach (var up in upsamplers) h = up.call(h, null);
        return scope.MoveToOuter(h);
    }
}
