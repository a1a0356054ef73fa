using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

public class NoiseScheduleTests
{
    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();

    private static SchedulerConfig Config(string schedule, double start = 0.00085, double end = 0.012, int n = 1000) =>
        new() { BetaSchedule = schedule, BetaStart = start, BetaEnd = end, NumTrainTimesteps = n };

    [Fact]
    public void LinearBetasAreEvenlySpaced()
    {
        using var s = new DDIMScheduler(Config("linear", 0.0001, 0.02));
        var betas = Values(s.Betas);
        Assert.Equal(1000, betas.Length);
        for (int i = 0; i < betas.Length; i++)
            Assert.Equal(0.0001 + i * (0.02 - 0.0001) / 999, betas[i], 1e-8);
    }

    [Fact]
    public void ScaledLinearBetasAreSquaresOfEvenlySpacedRoots()
    {
        using var s = new DDIMScheduler(Config("scaled_linear"));
        var betas = Values(s.Betas);
        double r0 = Math.Sqrt(0.00085), r1 = Math.Sqrt(0.012);
        for (int i = 0; i < betas.Length; i++)
        {
            double root = r0 + i * (r1 - r0) / 999;
            Assert.Equal(root * root, betas[i], 1e-8);
        }
    }

    [Fact]
    public void SquaredCosineBetasFollowImprovedDdpm()
    {
        // Nichol & Dhariwal 2021, eq. 17: alpha_bar(t) = cos^2(((t / T) + s) / (1 + s) * pi / 2), s = 0.008;
        // beta_i = min(1 - alpha_bar(i + 1) / alpha_bar(i), 0.999).
        const int T = 1000;
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t / T + 0.008) / 1.008 * Math.PI / 2), 2);
        using var s = new DDPMScheduler(Config("squaredcos_cap_v2"));
        var betas = Values(s.Betas);
        for (int i = 0; i < T; i++)
            Assert.Equal(Math.Min(1 - AlphaBar(i + 1) / AlphaBar(i), 0.999), betas[i], 1e-7);
        Assert.Equal(0.999, betas[^1], 1e-7); // the cap applies at the end
    }

    [Fact]
    public void AlphasCumprodIsTheProductOfOneMinusBeta()
    {
        using var s = new EulerDiscreteScheduler(Config("scaled_linear"));
        var betas = Values(s.Betas);
        var ac = Values(s.AlphasCumprod);
        double product = 1;
        for (int i = 0; i < betas.Length; i++)
        {
            product *= 1 - betas[i];
            Assert.Equal(product, ac[i], 1e-6);
        }
    }

    [Fact]
    public void ClassSpecificSchedules()
    {
        // DDPM's sigmoid: sigmoid(linspace(-6, 6, T)) * (end - start) + start; Heun's exp: alpha_bar(t) = exp(-12 t).
        using var ddpm = new DDPMScheduler(Config("sigmoid", 0.0001, 0.02, 10));
        var sig = Values(ddpm.Betas);
        for (int i = 0; i < 10; i++)
        {
            double x = -6 + i * 12.0 / 9;
            Assert.Equal(1 / (1 + Math.Exp(-x)) * (0.02 - 0.0001) + 0.0001, sig[i], 1e-7);
        }
        using var heun = new HeunDiscreteScheduler(Config("exp", n: 10));
        var exp = Values(heun.Betas);
        for (int i = 0; i < 10; i++)
            Assert.Equal(Math.Min(1 - Math.Exp(-12.0 * (i + 1) / 10) / Math.Exp(-12.0 * i / 10), 0.999), exp[i], 1e-6);
        var e = Assert.Throws<NotSupportedException>(() => new DDIMScheduler(Config("sigmoid")));
        Assert.Contains("beta_schedule 'sigmoid'", e.Message);
    }

    [Fact]
    public void TrainedBetasAreUsedAsGiven()
    {
        var betas = Enumerable.Range(1, 10).Select(i => i / 100.0).ToArray();
        using var s = new DDIMScheduler(new SchedulerConfig { NumTrainTimesteps = 10, TrainedBetas = betas });
        Assert.Equal(betas, Values(s.Betas).Select(b => Math.Round(b, 6)));
        Assert.Throws<ArgumentException>(() => new DDIMScheduler(new SchedulerConfig { NumTrainTimesteps = 11, TrainedBetas = betas }));
    }

    [Fact]
    public void ZeroTerminalSnrRescaleFollowsLinEtAl()
    {
        // Lin et al. 2023, Algorithm 1: sqrt(ab') = (sqrt(ab) - sqrt(ab_T)) * sqrt(ab_1) / (sqrt(ab_1) - sqrt(ab_T)).
        var baseConfig = Config("scaled_linear");
        using var plain = new DDIMScheduler(baseConfig);
        using var rescaled = new DDIMScheduler(baseConfig with { RescaleBetasZeroSnr = true });
        var before = Values(plain.AlphasCumprod).Select(Math.Sqrt).ToArray();
        var after = Values(rescaled.AlphasCumprod);
        double first = before[0], last = before[^1];
        for (int i = 0; i < before.Length; i++)
        {
            double expected = (before[i] - last) * first / (first - last);
            Assert.Equal(expected * expected, after[i], 1e-5);
        }
        Assert.Equal(0.0, after[^1]);
        Assert.Equal(before[0] * before[0], after[0], 1e-6);
        Assert.Equal(1.0, Values(rescaled.Betas)[^1], 1e-6);
    }

    [Fact]
    public void EulerPinsTheLastAlphaCumprodAfterRescaling()
    {
        using var s = new EulerDiscreteScheduler(Config("scaled_linear") with { RescaleBetasZeroSnr = true });
        Assert.Equal(Math.Pow(2, -24), Values(s.AlphasCumprod)[^1], 1e-12);
        s.SetTimesteps(10);
        var sigmas = Values(s.Sigmas!);
        Assert.All(sigmas, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(Math.Sqrt((1 - Math.Pow(2, -24)) / Math.Pow(2, -24)), sigmas[0], 1.0);
    }

    [Fact]
    public void KarrasSigmasInterpolateInverseSeventhRoots()
    {
        var sigmas = NoiseSchedule.KarrasSigmas(0.03, 14.6, 5);
        for (int i = 0; i < 5; i++)
        {
            double r = i / 4.0;
            double expected = Math.Pow(Math.Pow(14.6, 1 / 7.0) + r * (Math.Pow(0.03, 1 / 7.0) - Math.Pow(14.6, 1 / 7.0)), 7);
            Assert.Equal(expected, sigmas[i], 1e-12);
        }
        Assert.Equal(14.6, sigmas[0], 1e-12);
        Assert.Equal(0.03, sigmas[^1], 1e-12);
    }
}
