using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>diffusers' <c>Upsample2D</c> with <c>use_conv=True</c>: nearest-neighbour interpolation by 2 (or to an
/// explicit <c>outputSize</c> [H, W], which the UNet passes when the input size is not a multiple of its total
/// downsampling) followed by a 3x3 <c>conv</c>. bfloat16 is interpolated in float32, as diffusers does.</summary>
public sealed class Upsample2D : nn.Module<Tensor, long[]?, Tensor>
{
    private readonly Conv2d conv;

    public Upsample2D(long channels, long outChannels) : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, outChannels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, long[]? outputSize)
    {
        using var scope = NewDisposeScope();
        var dtype = x.dtype;
        var h = dtype == ScalarType.BFloat16 ? x.to(ScalarType.Float32) : x;
        h = outputSize is null
            ? nn.functional.interpolate(h, scale_factor: new[] { 2.0, 2.0 }, mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(h, size: outputSize, mode: InterpolationMode.Nearest);
        if (dtype == ScalarType.BFloat16) h = h.to(dtype);
        return scope.MoveToOuter(conv.call(h));
    }
}
