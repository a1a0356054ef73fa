using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> with <c>time_embedding_norm="default"</c>: <c>norm1</c>, <c>conv1</c>, optional
/// <c>time_emb_proj</c> (added after conv1), <c>norm2</c>, <c>dropout</c>, <c>conv2</c>, and a 1x1 <c>conv_shortcut</c>
/// when the channel count changes; output <c>(shortcut(x) + h) / output_scale_factor</c>.
/// The VAE builds it without a time embedding (<paramref name="tembChannels"/> null) and calls it with a null temb.
/// </summary>
public sealed class ResnetBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear? time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly nn.Module<Tensor, Tensor> nonlinearity;
    private readonly Conv2d? conv_shortcut;
    private readonly double _outputScaleFactor;

    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, long groups, double eps,
        string actFn = "silu", double dropoutRate = 0.0, double outputScaleFactor = 1.0) : base(nameof(ResnetBlock2D))
    {
        norm1 = GroupNorms.Create(groups, inChannels, eps);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 1, padding: 1);
        time_emb_proj = tembChannels is long t ? nn.Linear(t, outChannels) : null;
        norm2 = GroupNorms.Create(groups, outChannels, eps);
        dropout = nn.Dropout(dropoutRate);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1);
        nonlinearity = Activations.Create(actFn);
        conv_shortcut = inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1L, stride: 1L, padding: 0L) : null;
        _outputScaleFactor = outputScaleFactor;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var h = conv1.call(nonlinearity.call(norm1.call(input)));
        if (time_emb_proj is not null && temb is not null)
        {
            var t = time_emb_proj.call(nonlinearity.call(temb));
            h = h + t.unsqueeze(-1).unsqueeze(-1);
        }
        h = conv2.call(dropout.call(nonlinearity.call(norm2.call(h))));
        var shortcut = conv_shortcut is null ? input : conv_shortcut.call(input);
        var output = shortcut + h;
        if (_outputScaleFactor != 1.0) output = output / _outputScaleFactor;
        return scope.MoveToOuter(output);
    }
}
