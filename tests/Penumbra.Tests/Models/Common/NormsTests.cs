using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Common;

public class NormsTests
{
    [Fact]
    public void GroupNormStartsAsPyTorchDoes()
    {
        for (int i = 0; i < 5; i++) // TorchSharp's own GroupNorm is uninitialised: repeat to catch garbage memory
        {
            using var norm = Norms.GroupNorm(4, 16);
            Assert.True(norm.weight!.eq(1).all().item<bool>());
            Assert.True(norm.bias!.eq(0).all().item<bool>());
        }
    }

    [Fact]
    public void FreshUnetHasNoUninitialisedNormsAndGivesFiniteOutput()
    {
        manual_seed(1);
        using var unet = new UNet2DConditionModel(new UNet2DConditionConfig
        {
            SampleSize = 8, InChannels = 3, OutChannels = 3, BlockOutChannels = new[] { 8, 16 },
            DownBlockTypes = new[] { "CrossAttnDownBlock2D", "DownBlock2D" }, UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D" },
            LayersPerBlock = 1, CrossAttentionDim = 8, AttentionHeadDim = 2, NormNumGroups = 4,
        });
        foreach (var (name, p) in unet.named_parameters())
            Assert.False(p.isnan().any().item<bool>() || p.abs().max().item<float>() > 1e6, $"{name} is not initialised");
        using var y = unet.call(randn(2, 3, 8, 8), tensor(new long[] { 3, 700 }), randn(2, 4, 8));
        Assert.True(y.isfinite().all().item<bool>());
    }
}
