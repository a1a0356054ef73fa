using Penumbra.Configs;
using Penumbra.Debias;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using Penumbra.Tests.Support;
using Penumbra.Tokenizers;
using Penumbra.Toy.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Debias;

/// <summary>Small models for the adapter tests: the toy world's seeded text encoder, the bundled CLIP tokenizer and a tiny
/// pixel-space UNet initialised from its own generator (no global RNG).</summary>
internal static class DebiasTestModels
{
    public static ClipTokenizer Tokenizer() => ClipTokenizer.FromPretrained(Path.Combine(Fixtures.RepoRoot, "models", "clip-tokenizer-sd1"));

    public static ClipTextModel TextEncoder() => ToyModelBuilder.BuildTextEncoder(7);

    public static UNet2DConditionModel Unet()
    {
        var unet = new UNet2DConditionModel(new UNet2DConditionConfig
        {
            SampleSize = 8, InChannels = 3, OutChannels = 3, BlockOutChannels = new[] { 8, 16 },
            DownBlockTypes = new[] { "CrossAttnDownBlock2D", "DownBlock2D" }, UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D" },
            LayersPerBlock = 1, CrossAttentionDim = 32, AttentionHeadDim = 2, NormNumGroups = 4,
        });
        using var g = new Generator(11);
        using (no_grad())
            foreach (var (name, p) in unet.named_parameters().OrderBy(kv => kv.name, StringComparer.Ordinal))
                if (!name.Contains("norm")) p.copy_(normal(0.0, 0.1, p.shape, generator: g));
        unet.eval();
        return unet;
    }

    /// <summary>Bit-for-bit equality (same shape, every element equal).</summary>
    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static SchedulerConfig Schedule { get; } = ConfigJson.Parse<SchedulerConfig>(ToyWorld.SchedulerConfigJson);

    public static BiasAdapterConfig Config(bool token = true, bool gate = true, int rank = 4) => new()
    {
        Rank = rank, AppendSpecialToken = token, Gate = new BiasGateOptions { UseGate = gate }, Subspace = Penumbra.Debias.ToyDebiasWorld.SubspaceSpec(),
    };

    public static BiasAdapterMixture Mixture(ClipTextModel encoder, ClipTokenizer tokenizer, BiasAdapterConfig? config = null) =>
        BiasAdapterMixture.Create(encoder, tokenizer, config ?? Config(), seed: 3);
}
