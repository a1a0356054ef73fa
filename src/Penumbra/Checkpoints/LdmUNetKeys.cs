using Penumbra.Models.Unets;

namespace Penumbra.Checkpoints;

/// <summary>
/// The UNet's LDM (<c>openaimodel.UNetModel</c>) module layout for a diffusers config, following diffusers'
/// <c>convert_ldm_unet_checkpoint</c>: with N levels and L resnets per down level, down level i layer j is
/// <c>input_blocks.{(L+1)i+j+1}</c> (<c>.0</c> resnet, <c>.1</c> attention), its downsampler
/// <c>input_blocks.{(L+1)(i+1)}.0.op</c>; up level i layer j (j ≤ L) is <c>output_blocks.{(L+1)i+j}</c>, the upsampler
/// <c>output_blocks.{(L+1)i+L}.{2 with attention, else 1}.conv</c>; <c>middle_block.0/1/2</c> = resnet, attention, resnet.
/// </summary>
public static class LdmUNetKeys
{
    public static LdmKeyTable Build(UNet2DConditionConfig config)
    {
        int n = config.BlockOutChannels.Length;
        var layers = config.LayersPerBlock.Expand(n);
        if (layers.Distinct().Count() != 1)
            throw new ArgumentException($"layers_per_block {config.LayersPerBlock}: the LDM layout has one resnet count for every level");
        int l = layers[0];
        var t = new LdmKeyTable();
        t.Add("time_embed.0", "time_embedding.linear_1");
        t.Add("time_embed.2", "time_embedding.linear_2");
        t.Add("input_blocks.0.0", "conv_in");
        t.Add("out.0", "conv_norm_out");
        t.Add("out.2", "conv_out");
        for (int i = 0; i < n; i++)
        {
            bool attention = HasAttention(config.DownBlockTypes[i]);
            for (int j = 0; j < l; j++)
            {
                int k = (l + 1) * i + j + 1;
                t.Add($"input_blocks.{k}.0", $"down_blocks.{i}.resnets.{j}", LdmRuleKind.Resnet);
                if (attention) t.Add($"input_blocks.{k}.1", $"down_blocks.{i}.attentions.{j}");
            }
            if (i < n - 1) t.Add($"input_blocks.{(l + 1) * (i + 1)}.0.op", $"down_blocks.{i}.downsamplers.0.conv");
        }
        if (config.MidBlockType is not null) t.Add("middle_block.0", "mid_block.resnets.0", LdmRuleKind.Resnet);
        if (config.MidBlockType == "UNetMidBlock2DCrossAttn")
        {
            t.Add("middle_block.1", "mid_block.attentions.0");
            t.Add("middle_block.2", "mid_block.resnets.1", LdmRuleKind.Resnet);
        }
        for (int i = 0; i < n; i++)
        {
            bool attention = HasAttention(config.UpBlockTypes[i]);
            for (int j = 0; j <= l; j++)
            {
                int k = (l + 1) * i + j;
                t.Add($"output_blocks.{k}.0", $"up_blocks.{i}.resnets.{j}", LdmRuleKind.Resnet);
                if (attention) t.Add($"output_blocks.{k}.1", $"up_blocks.{i}.attentions.{j}");
            }
            if (i < n - 1) t.Add($"output_blocks.{(l + 1) * i + l}.{(attention ? 2 : 1)}.conv", $"up_blocks.{i}.upsamplers.0.conv");
        }
        return t;
    }

    private static bool HasAttention(string blockType) => blockType.StartsWith("CrossAttn", StringComparison.Ordinal);
}
