using Penumbra.Models.Autoencoders;

namespace Penumbra.Checkpoints;

/// <summary>
/// The VAE's LDM (<c>AutoencoderKL</c> of ldm) module layout for a diffusers config, following diffusers'
/// <c>convert_ldm_vae_checkpoint</c>: <c>encoder.down.i.block.j</c>, <c>encoder.down.i.downsample</c>,
/// <c>decoder.up.{N-1-i}.block.j</c> / <c>.upsample</c> (the decoder's level index is reversed), <c>mid.block_1/2</c>,
/// <c>mid.attn_1</c> (1×1 convolutions), <c>norm_out</c> = <c>conv_norm_out</c>.
/// </summary>
public static class LdmVaeKeys
{
    public static LdmKeyTable Build(AutoencoderKLConfig config)
    {
        int n = config.BlockOutChannels.Length, l = config.LayersPerBlock;
        var t = new LdmKeyTable();
        foreach (var part in new[] { "encoder", "decoder" })
        {
            t.Add($"{part}.conv_in", $"{part}.conv_in");
            t.Add($"{part}.conv_out", $"{part}.conv_out");
            t.Add($"{part}.norm_out", $"{part}.conv_norm_out");
            t.Add($"{part}.mid.block_1", $"{part}.mid_block.resnets.0", LdmRuleKind.VaeResnet);
            t.Add($"{part}.mid.block_2", $"{part}.mid_block.resnets.1", LdmRuleKind.VaeResnet);
            t.Add($"{part}.mid.attn_1", $"{part}.mid_block.attentions.0", LdmRuleKind.VaeAttention);
        }
        t.Add("quant_conv", "quant_conv");
        t.Add("post_quant_conv", "post_quant_conv");
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < l; j++)
                t.Add($"encoder.down.{i}.block.{j}", $"encoder.down_blocks.{i}.resnets.{j}", LdmRuleKind.VaeResnet);
            if (i < n - 1) t.Add($"encoder.down.{i}.downsample", $"encoder.down_blocks.{i}.downsamplers.0");
            int up = n - 1 - i;
            for (int j = 0; j <= l; j++)
                t.Add($"decoder.up.{up}.block.{j}", $"decoder.up_blocks.{i}.resnets.{j}", LdmRuleKind.VaeResnet);
            if (i < n - 1) t.Add($"decoder.up.{up}.upsample", $"decoder.up_blocks.{i}.upsamplers.0");
        }
        return t;
    }
}
