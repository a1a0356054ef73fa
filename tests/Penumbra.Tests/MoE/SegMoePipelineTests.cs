using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.MoE;

public class SegMoePipelineTests
{
    [Fact]
    public void SegMoeFolderGeneratesAndForcingTheBaseExpertGivesThePlainPipeline()
    {
        using var moe = SegMoePipeline.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        using var plain = StableDiffusionPipeline.FromPretrained(Fixtures.Path("moe", "experts", "e0"));
        var options = new GenerationOptions { Prompts = new[] { "a red circle" }, NegativePrompts = new[] { "blue" }, Steps = 2, Seed = 3, Decode = false };
        var routed = moe.Pipeline.Generate(options, "ddim").Latents;
        Assert.Equal(21, moe.Model.Blocks.Count);
        Assert.All(moe.Model.Blocks.Values, b => Assert.Equal(2, b.LastCall!.Selections[0].Length));

        // Expert 0 is the base model (e0 = tiny-sd): forced everywhere, the MoE pipeline is e0's own pipeline.
        using (moe.Model.Routing.Use(MoeRoute.ForcedAll(0)))
        {
            var forced = moe.Pipeline.Generate(options, "ddim").Latents;
            var reference = plain.Generate(options, "ddim").Latents;
            Assert.True(SegMoeModelTests.MaxAbs(forced, reference) < 1e-5);
            Assert.True(SegMoeModelTests.MaxAbs(routed, reference) > 1e-4);
        }
    }
}
