using Penumbra.Models.Attention;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>Copies and sizes of the modules SegMoE puts behind a gate: bias-free or biased Linear projections and the
/// GEGLU <see cref="FeedForward"/>.</summary>
public static class ExpertModules
{
    /// <summary>(input channels, output channels) of an expert module.</summary>
    public static (long In, long Out) Features(nn.Module module) => module switch
    {
        Linear l => (l.weight!.shape[1], l.weight.shape[0]),
        FeedForward => (Weight(module, "net.0.proj.weight").shape[1], Weight(module, "net.2.weight").shape[0]),
        _ => throw new NotSupportedException($"a {module.GetType().Name} cannot be a SegMoE expert (Linear or FeedForward)"),
    };

    /// <summary>A new module of the same type and shape holding a copy of <paramref name="module"/>'s weights, on its device
    /// and dtype, in its train/eval mode.</summary>
    public static nn.Module<Tensor, Tensor> Copy(nn.Module module, double dropout = 0.0)
    {
        var first = module.parameters().First();
        nn.Module<Tensor, Tensor> copy = module switch
        {
            Linear l => nn.Linear(l.weight!.shape[1], l.weight.shape[0], hasBias: l.bias is not null),
            FeedForward => new FeedForward(Weight(module, "net.0.proj.weight").shape[1], Weight(module, "net.2.weight").shape[0],
                dropout: dropout, innerDim: Weight(module, "net.0.proj.weight").shape[0] / 2,
                bias: module.state_dict().ContainsKey("net.2.bias")),
            _ => throw new NotSupportedException($"a {module.GetType().Name} cannot be a SegMoE expert (Linear or FeedForward)"),
        };
        copy.to(first.dtype).to(first.device);
        CopyWeights(module, copy);
        if (module.training) copy.train(); else copy.eval();
        return copy;
    }

    /// <summary>Copies every state-dict tensor of <paramref name="source"/> into <paramref name="target"/> (same keys and shapes).</summary>
    public static void CopyWeights(nn.Module source, nn.Module target)
    {
        var from = source.state_dict();
        var to = target.state_dict();
        if (!from.Keys.Order(StringComparer.Ordinal).SequenceEqual(to.Keys.Order(StringComparer.Ordinal)))
            throw new ArgumentException($"cannot copy {source.GetType().Name} weights: keys [{string.Join(",", from.Keys)}] vs [{string.Join(",", to.Keys)}]");
        using var noGrad = no_grad();
        foreach (var (key, t) in to)
        {
            if (!t.shape.SequenceEqual(from[key].shape))
                throw new ArgumentException($"cannot copy '{key}': shape [{string.Join(",", from[key].shape)}] into [{string.Join(",", t.shape)}]");
            t.copy_(from[key]);
        }
    }

    private static Tensor Weight(nn.Module module, string key) =>
        module.state_dict().TryGetValue(key, out var t) ? t : throw new ArgumentException($"{module.GetType().Name} has no '{key}'");
}
