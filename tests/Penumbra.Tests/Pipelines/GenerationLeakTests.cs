using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit;

namespace Penumbra.Tests.Pipelines;

/// <summary>Generation leaves no live tensor behind once its result is disposed (memory stays flat without the GC).</summary>
public class GenerationLeakTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("euler_a")]
    [InlineData("dpmpp_2m")]
    public void RepeatedGenerationsLeaveNoLiveTensors(string? scheduler)
    {
        using var pipe = StableDiffusionPipeline.FromPretrained(Fixtures.Path("tiny-sd"));
        var stats = DisposeScopeManager.Statistics;
        GenerationOptions Options(int seed) => new() { Prompts = new[] { "a red circle", "a blue square" }, ImagesPerPrompt = 2, Steps = 3, Seed = seed };
        using (pipe.Generate(Options(0), scheduler)) { }
        long before = stats.ThreadTotalLiveCount;
        for (int i = 1; i <= 3; i++)
            using (pipe.Generate(Options(i), scheduler)) { }
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }

    [Fact]
    public void CreatingASchedulerLeavesOnlyItsOwnTensors()
    {
        var config = SchedulerConfig.Load(Fixtures.Path("tiny-sd", "scheduler"));
        var stats = DisposeScopeManager.Statistics;
        long before = stats.ThreadTotalLiveCount;
        using (var s = (IDisposable)SchedulerFactory.Create("ddim", config)) { }
        Assert.Equal(before, stats.ThreadTotalLiveCount);
    }
}
