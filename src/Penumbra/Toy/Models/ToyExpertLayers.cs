using Penumbra.MoE;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using static TorchSharp.torch;

namespace Penumbra.Toy.Models;

/// <summary>
/// The modules the toy SegMoE turns into experts (<see cref="ToyWorld.MoeLayoutFor"/>). With independent expert layers an
/// expert keeps the base's trunk frozen and trains fresh, seeded copies of these modules only, so the experts form an
/// ensemble over exactly the weights the merge mixes: they agree where their data constrained them and disagree
/// elsewhere, which fine-tunes of one base barely do (they all keep the base's answer to what none of them saw).
/// </summary>
public static class ToyExpertLayers
{
    public static IReadOnlyList<string> Paths(UNet2DConditionModel unet) =>
        SegMoeLayout.Slots(unet, ToyWorld.MoeLayoutFor(unet.Config)).Select(s => s.Path).ToArray();

    /// <summary>Freezes every parameter outside the expert modules (they keep requires_grad).</summary>
    public static void FreezeTrunk(UNet2DConditionModel unet)
    {
        var paths = Paths(unet);
        foreach (var (name, p) in unet.named_parameters()) p.requires_grad = IsExpert(paths, name);
    }

    /// <summary>Re-initialises the expert modules as nn.Linear does (U(±1/√fan_in), Kaiming-uniform a=√5) from a generator
    /// seeded with <paramref name="seed"/> and freezes every other parameter.</summary>
    public static void Reinitialise(UNet2DConditionModel unet, long seed)
    {
        FreezeTrunk(unet);
        var paths = Paths(unet);
        using var generator = new Generator((ulong)(seed * 31 + 7));
        DrawLinearInit(unet.named_parameters().ToList(), name => IsExpert(paths, name), generator);
    }

    /// <summary>Re-draws, in list order, every parameter of <paramref name="parameters"/> that <paramref name="include"/>
    /// picks by name as nn.Linear initialises it (<see cref="DrawLinearInit(Tensor, long, Generator)"/>), a bias with the
    /// fan-in of its layer's weight.</summary>
    public static void DrawLinearInit(IReadOnlyList<(string name, TorchSharp.Modules.Parameter parameter)> parameters, Func<string, bool> include, Generator generator)
    {
        var byName = parameters.ToDictionary(kv => kv.name, kv => kv.parameter);
        foreach (var (name, p) in parameters)
        {
            if (!include(name)) continue;
            string weight = name.EndsWith(".bias", StringComparison.Ordinal) ? name[..^".bias".Length] + ".weight" : name;
            DrawLinearInit(p, byName[weight].shape[^1], generator);
        }
    }

    /// <summary>nn.Linear's default init of one parameter: U(±1/√fan_in), drawn from <paramref name="generator"/>.</summary>
    public static void DrawLinearInit(Tensor parameter, long fanIn, Generator generator)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        using var noGrad = no_grad();
        using var u = rand(parameter.shape, generator: generator);
        parameter.copy_(u * (2 * bound) - bound);
    }

    /// <summary>Adds expert-specific noise to the text-side projections of the expert modules (cross-attention <c>to_k</c> and
    /// <c>to_v</c>): W += <paramref name="scale"/> · rms(W) · N(0, 1), from a generator seeded with <paramref name="seed"/>.
    /// Fine-tuning then corrects it only where the expert's captions constrain it, so experts keep different answers to
    /// token states none of them trained on (deep ensembles' argument for diverse initialisations).</summary>
    public static void PerturbTextProjections(UNet2DConditionModel unet, double scale, long seed)
    {
        if (scale <= 0) return;
        var paths = Paths(unet).Where(p => p.EndsWith(".attn2.to_k", StringComparison.Ordinal) || p.EndsWith(".attn2.to_v", StringComparison.Ordinal)).ToArray();
        using var generator = new Generator((ulong)(seed * 31 + 11));
        using var noGrad = no_grad();
        foreach (var (name, p) in unet.named_parameters().OrderBy(kv => kv.name, StringComparer.Ordinal))
        {
            if (!name.EndsWith(".weight") || !paths.Any(path => name == path + ".weight")) continue;
            using var rms = p.square().mean().sqrt();
            using var noise = randn(p.shape, generator: generator);
            p.add_(noise * (rms * scale));
        }
    }

    private static bool IsExpert(IReadOnlyList<string> paths, string parameter) =>
        paths.Any(path => parameter.StartsWith(path + ".", StringComparison.Ordinal));

}
