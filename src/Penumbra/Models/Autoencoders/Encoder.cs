using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>diffusers' VAE <c>Encoder</c>: <c>conv_in</c>, <c>down_blocks</c>, <c>mid_block</c> (resnet, attention,
/// resnet), <c>conv_norm_out</c>, <c>conv_act</c>, <c>conv_out</c> to 2·latent channels (mean and log-variance).
/// GroupNorm eps is 1e-6 throughout, as in diffusers.</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-6;

    private readonly Conv2d conv_in;
    private readonly ModuleList<DownEncoderBlock2D> down_blocks;
    private readonly UNetMidBlock2D mid_block;
    private readonly GroupNorm conv_norm_out;
    private readonly nn.Module<Tensor, Tensor> conv_act;
    private readonly Conv2d conv_out;

    public Encoder(AutoencoderKLConfig c) : base(nameof(Encoder))
    {
        var boc = c.BlockOutChannels.Select(x => (long)x).ToArray();
        conv_in = nn.Conv2d(c.InChannels, boc[0], 3, stride: 1, padding: 1);
        down_blocks = nn.ModuleList(Enumerable.Range(0, boc.Length).Select(i => c.DownBlockTypes[i] switch
        {
            "DownEncoderBlock2D" => new DownEncoderBlock2D(i == 0 ? boc[0] : boc[i - 1], boc[i], c.LayersPerBlock, c.NormNumGroups, Eps,
                c.ActFn, addDownsample: i < boc.Length - 1, downsamplePadding: 0),
            var t => throw new ArgumentException($"down_block_types[{i}]: unknown VAE down block type '{t}' (supported: DownEncoderBlock2D)"),
        }).ToArray());
        mid_block = new UNetMidBlock2D(boc[^1], null, c.NormNumGroups, Eps, c.ActFn, attentionHeadDim: (int)boc[^1]);
        conv_norm_out = GroupNorms.Create(c.NormNumGroups, boc[^1], Eps);
        conv_act = nn.SiLU();
        conv_out = nn.Conv2d(boc[^1], 2L * c.LatentChannels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.call(sample);
        foreach (var block in down_blocks) h = block.call(h);
        h = mid_block.call(h, null);
        h = conv_out.call(conv_act.call(conv_norm_out.call(h)));
        return scope.MoveToOuter(h);
    }
}
