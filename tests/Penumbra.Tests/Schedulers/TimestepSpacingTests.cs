using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

/// <summary>
/// Timestep lists for small hand-computed cases (T = 10 train steps, 3 inference steps unless noted):
/// leading = arange(3) * (10 // 3) reversed + offset = [6, 3, 0] + offset;
/// trailing = round(arange(10, 0, -10/3)) - 1 = round([10, 6.67, 3.33]) - 1 = [9, 6, 2];
/// linspace = linspace(0, 9, 3) reversed = [9, 4.5, 0], rounded half to even where the class rounds: [9, 4, 0].
/// </summary>
public class TimestepSpacingTests
{
    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();

    private static SchedulerConfig Small(string spacing, int offset = 0, int train = 10) => new()
    {
        NumTrainTimesteps = train, BetaSchedule = "linear", BetaStart = 0.001, BetaEnd = 0.2,
        TimestepSpacing = spacing, StepsOffset = offset, SkipPrkSteps = true,
    };

    private static double[] Timesteps(string name, SchedulerConfig c, int steps = 3)
    {
        var s = SchedulerFactory.Create(name, c);
        s.SetTimesteps(steps);
        return Values(s.Timesteps);
    }

    [Theory]
    [InlineData("ddim")]
    [InlineData("ddpm")]
    public void IntegerSchedulers(string name)
    {
        Assert.Equal(new double[] { 7, 4, 1 }, Timesteps(name, Small("leading", 1)));
        Assert.Equal(new double[] { 9, 6, 2 }, Timesteps(name, Small("trailing")));
        Assert.Equal(new double[] { 9, 4, 0 }, Timesteps(name, Small("linspace")));
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("euler_a")]
    [InlineData("lms")]
    public void FloatSchedulersDoNotRoundLinspace(string name)
    {
        Assert.Equal(new double[] { 7, 4, 1 }, Timesteps(name, Small("leading", 1)));
        Assert.Equal(new double[] { 9, 6, 2 }, Timesteps(name, Small("trailing")));
        Assert.Equal(new double[] { 9, 4.5, 0 }, Timesteps(name, Small("linspace")));
    }

    [Fact]
    public void HeunRepeatsEveryTimestepAfterTheFirst()
    {
        var s = SchedulerFactory.Create("heun", Small("linspace"));
        s.SetTimesteps(3);
        Assert.Equal(new double[] { 9, 4.5, 4.5, 0, 0 }, Values(s.Timesteps));
        Assert.Equal(2, s.Order);
        var sigmas = Values(s.Sigmas!);
        Assert.Equal(6, sigmas.Length);
        Assert.Equal(sigmas[1], sigmas[2]);
        Assert.Equal(sigmas[3], sigmas[4]);
        Assert.Equal(0.0, sigmas[5]);
    }

    [Fact]
    public void PlmsRepeatsTheSecondTimestep()
    {
        // ascending [0, 3, 6] -> [0, 3] + [3] + [6], reversed.
        Assert.Equal(new double[] { 6, 3, 3, 0 }, Timesteps("pndm", Small("leading")));
    }

    [Fact]
    public void PndmRungeKuttaWarmUp()
    {
        // T = 20, 4 steps: ascending [0, 5, 10, 15]; half step 20 // 4 // 2 = 2;
        // [t, t + 2] pairs: 0 2 5 7 10 12 15 17; drop the last, double each, drop both ends, reverse;
        // then PLMS over ascending[:-3] = [0] reversed.
        var c = Small("leading", train: 20) with { SkipPrkSteps = false };
        Assert.Equal(new double[] { 15, 12, 12, 10, 10, 7, 7, 5, 5, 2, 2, 0, 0 }, Timesteps("pndm", c, 4));
    }

    [Fact]
    public void DpmSolverSpacesOneExtraStepAndDropsIt()
    {
        // linspace: round(linspace(0, 9, 4)) reversed without the last = [9, 6, 3];
        // leading: arange(4) * (10 // 4) reversed without the last, + offset = [6, 4, 2] + 1.
        Assert.Equal(new double[] { 9, 6, 3 }, Timesteps("dpmpp_2m", Small("linspace")));
        Assert.Equal(new double[] { 7, 5, 3 }, Timesteps("dpmpp_2m", Small("leading", 1)));
        Assert.Equal(new double[] { 9, 6, 2 }, Timesteps("dpmpp_2m", Small("trailing")));
    }

    [Fact]
    public void TrailingUsesNumpysArangeSteps()
    {
        // 1000 / 7 = 142.857...: 1000, 857.14, 714.29, 571.43, 428.57, 285.71, 142.86 -> rounded, minus 1.
        var c = Small("trailing", train: 1000);
        Assert.Equal(new double[] { 999, 856, 713, 570, 428, 285, 142 }, Timesteps("ddim", c, 7));
    }

    [Fact]
    public void UnknownSpacingIsRejectedByName()
    {
        var e = Assert.Throws<NotSupportedException>(() => SchedulerFactory.Create("ddim", Small("uniform")));
        Assert.Contains("timestep_spacing 'uniform'", e.Message);
        Assert.Contains("trailing", e.Message);
    }

    [Fact]
    public void StepsOutsideTheTrainRangeAreRejected()
    {
        var s = SchedulerFactory.Create("ddim", Small("leading"));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SetTimesteps(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.SetTimesteps(0));
    }
}
