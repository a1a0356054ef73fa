using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>diffusers' <c>Downsample2D</c> with <c>use_conv=True</c>: a 3x3 <c>conv</c> of stride 2. With
/// <c>padding=0</c> (the VAE encoder) the input is first padded by one row and column at the bottom/right.</summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly long _padding;

    public Downsample2D(long channels, long outChannels, long padding = 1) : base(nameof(Downsample2D))
    {
        conv = nn.Conv2d(channels, outChannels, 3, stride: 2, padding: padding);
        _padding = padding;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = _padding == 0 ? nn.functional.pad(x, new long[] { 0, 1, 0, 1 }) : x;
        return scope.MoveToOuter(conv.call(h));
    }
}
