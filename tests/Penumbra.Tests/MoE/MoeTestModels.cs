using Penumbra.MoE;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

/// <summary>Small MoEs made in code from the tiny-sd UNet (experts = seeded perturbations of its ff / attention weights).</summary>
internal static class MoeTestModels
{
    public static UNet2DConditionModel TinyUnet() => UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-sd", "unet"));

    public static SegMoeConfig Config(string moeLayers, int experts, int topK) => new()
    {
        BaseModel = "tiny-sd",
        Type = "sd",
        MoeLayers = moeLayers,
        NumExpertsPerTok = topK,
        Experts = Enumerable.Range(0, experts)
            .Select(e => new SegMoeExpert { SourceModel = $"expert{e}", PositivePrompt = $"p{e}", NegativePrompt = $"n{e}" }).ToList(),
    };

    /// <summary>tiny-sd's UNet with every ff / attention q,k,v weight perturbed by 0.3·std·randn (seed), as the fixture experts.</summary>
    public static UNet2DConditionModel PerturbedUnet(int seed)
    {
        var unet = TinyUnet();
        var g = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in unet.named_parameters())
        {
            bool attention = name.EndsWith(".weight", StringComparison.Ordinal)
                && (name.Contains(".attn1.to_") || name.Contains(".attn2.to_")) && !name.Contains(".to_out");
            if (attention || (name.Contains(".ff.") && name.EndsWith(".weight", StringComparison.Ordinal)))
                p.add_(randn(p.shape, generator: g) * (0.3 * p.std().item<float>()));
        }
        return unet;
    }

    /// <summary>A MoE of tiny-sd with expert e = <see cref="PerturbedUnet"/>(100 + e) and random unit-norm gate rows.</summary>
    public static SegMoeModel PerturbedMoe(string moeLayers, int experts, int topK, int gateSeed = 1)
    {
        var model = SegMoeModel.Convert(TinyUnet(), Config(moeLayers, experts, topK));
        for (int e = 0; e < experts; e++)
        {
            using var expert = PerturbedUnet(100 + e);
            foreach (var (path, block) in model.Blocks)
                ExpertModules.CopyWeights(ModulePaths.Find(expert, path), block.Expert(e));
        }
        var g = new Generator((ulong)gateSeed);
        foreach (var block in model.Blocks.Values)
        {
            using var scope = NewDisposeScope();
            var w = randn(block.NumExperts, block.InFeatures, generator: g);
            block.SetGate(w / w.pow(2).sum(1, keepdim: true).sqrt());
        }
        model.Unet.eval();
        return model;
    }

    public static long Parameters(nn.Module m) => m.parameters().Sum(p => p.numel());
}
