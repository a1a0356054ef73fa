using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>diffusers' VAE <c>Decoder</c>: <c>conv_in</c>, <c>mid_block</c>, <c>up_blocks</c> (layers_per_block + 1
/// resnets each), <c>conv_norm_out</c>, <c>conv_act</c>, <c>conv_out</c>.</summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-6;

    private readonly Conv2d conv_in;
    private readonly UNetMidBlock2D mid_block;
    private readonly ModuleList<UpDecoderBlock2D> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly nn.Module<Tensor, Tensor> conv_act;
    private readonly Conv2d conv_out;

    public Decoder(AutoencoderKLConfig c) : base(nameof(Decoder))
    {
        var boc = c.BlockOutChannels.Select(x => (long)x).ToArray();
        var reversed = boc.Reverse().ToArray();
        conv_in = nn.Conv2d(c.LatentChannels, boc[^1], 3, stride: 1, padding: 1);
        mid_block = new UNetMidBlock2D(boc[^1], null, c.NormNumGroups, Eps, c.ActFn, attentionHeadDim: (int)boc[^1]);
        up_blocks = nn.ModuleList(Enumerable.Range(0, boc.Length).Select(i => c.UpBlockTypes[i] switch
        {
            "UpDecoderBlock2D" => new UpDecoderBlock2D(i == 0 ? reversed[0] : reversed[i - 1], reversed[i], c.LayersPerBlock + 1,
                c.NormNumGroups, Eps, c.ActFn, addUpsample: i < boc.Length - 1),
            var t => throw new ArgumentException($"up_block_types[{i}]: unknown VAE up block type '{t}' (supported: UpDecoderBlock2D)"),
        }).ToArray());
        conv_norm_out = GroupNorms.Create(c.NormNumGroups, boc[0], Eps);
        conv_act = nn.SiLU();
        conv_out = nn.Conv2d(boc[0], c.OutChannels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.call(z);
        h = mid_block.call(h, null);
        foreach (var block in up_blocks) h = block.call(h);
        h = conv_out.call(conv_act.call(conv_norm_out.call(h)));
        return scope.MoveToOuter(h);
    }
}
