using Penumbra.Models.Common;
using TorchSharp;

namespace Penumbra.MoE;

/// <summary>
/// Where SegMoE puts its mixtures (spec §2): in <c>down_blocks</c> [down_idx_start, down_idx_end) and <c>up_blocks</c>
/// [up_idx_start, up_idx_end) (never the mid block), every <c>attentions.j.transformer_blocks.k</c>, the modules of the
/// kinds <c>moe_layers</c> selects. Found by walking the model, so any block layout of the config works.
/// </summary>
public static class SegMoeLayout
{
    /// <summary>The modules <paramref name="config"/> converts in <paramref name="unet"/> (needs the block ranges).</summary>
    public static IReadOnlyList<MoeSlot> Slots(torch.nn.Module unet, SegMoeConfig config) =>
        Slots(unet, config, MoeModuleKinds.For(config.Layers));

    /// <summary>The modules of <paramref name="kinds"/> in the transformer blocks of the config's block ranges.</summary>
    public static IReadOnlyList<MoeSlot> Slots(torch.nn.Module unet, SegMoeConfig config, IEnumerable<MoeModuleKind> kinds)
    {
        var kindList = kinds.ToArray();
        var slots = new List<MoeSlot>();
        foreach (var block in TransformerBlocks(unet, config))
            foreach (var kind in kindList)
                slots.Add(new MoeSlot($"{block}.{kind.Suffix()}", kind, block));
        return slots;
    }

    /// <summary>The paths of the transformer blocks in the config's block ranges, down blocks first.</summary>
    public static IReadOnlyList<string> TransformerBlocks(torch.nn.Module unet, SegMoeConfig config)
    {
        var ranges = new[]
        {
            ("down_blocks", config.DownIdxStart, config.DownIdxEnd),
            ("up_blocks", config.UpIdxStart, config.UpIdxEnd),
        };
        var result = new List<string>();
        foreach (var (list, start, end) in ranges)
        {
            if (start is null || end is null) throw new InvalidOperationException($"{list}: the SegMoE block range is not set");
            int count = Children(ModulePaths.Find(unet, list)).Count;
            if (start < 0 || end > count || start > end)
                throw new ArgumentException($"{list}: SegMoE range [{start}, {end}) does not fit the {count} blocks of the UNet");
            for (int i = start.Value; i < end.Value; i++)
            {
                var block = ModulePaths.Find(unet, $"{list}.{i}");
                var attentions = Children(block).FirstOrDefault(c => c.Name == "attentions").Module;
                if (attentions is null) continue;
                foreach (var (j, attention) in Children(attentions))
                {
                    var transformers = Children(attention).FirstOrDefault(c => c.Name == "transformer_blocks").Module;
                    if (transformers is null) continue;
                    foreach (var (k, _) in Children(transformers)) result.Add($"{list}.{i}.attentions.{j}.transformer_blocks.{k}");
                }
            }
        }
        return result;
    }

    private static List<(string Name, torch.nn.Module Module)> Children(torch.nn.Module m) =>
        m.named_children().Select(c => (c.name, c.module)).ToList();
}
