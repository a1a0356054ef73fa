using TorchSharp;

namespace Penumbra.Models.Attention;

/// <summary>diffusers' <c>set_attn_processor</c>: sets the processor of every <see cref="Attention"/> layer under a
/// module (optionally only those whose path passes <paramref name="filter"/>, e.g. <c>p =&gt; p.EndsWith("attn2")</c>).</summary>
public static class AttentionProcessors
{
    /// <returns>The paths of the layers that were changed.</returns>
    public static IReadOnlyList<string> Set(torch.nn.Module root, IAttentionProcessor processor, Func<string, bool>? filter = null)
    {
        var changed = new List<string>();
        foreach (var (path, module) in root.named_modules())
            if (module is Attention attn && (filter is null || filter(path)))
            {
                attn.Processor = processor;
                changed.Add(path);
            }
        return changed;
    }
}
