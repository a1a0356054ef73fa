using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

public class SchedulerStateTests
{
    private static readonly SchedulerConfig Sd = new()
    {
        BetaSchedule = "scaled_linear", BetaStart = 0.00085, BetaEnd = 0.012, StepsOffset = 1,
        SetAlphaToOne = false, ClipSample = false, SkipPrkSteps = true,
    };

    /// <summary>A loop whose model outputs change per step (so multistep history matters), optionally scoping every step.</summary>
    private static Tensor Run(IScheduler s, bool scopePerStep, Generator? generator = null)
    {
        s.SetTimesteps(8);
        var sample = randn(new long[] { 1, 4, 8, 8 }, generator: new Generator(5));
        var basis = randn(new long[] { 1, 4, 8, 8 }, generator: new Generator(6));
        for (long i = 0; i < s.Timesteps.shape[0]; i++)
        {
            using var scope = scopePerStep ? NewDisposeScope() : null;
            var t = s.Timesteps[i];
            var scaled = s.ScaleModelInput(sample, t);
            var modelOutput = (basis * (1 + 0.1 * i) + 0.05 * scaled).clone();
            var next = s.Step(modelOutput, t, sample, generator).PrevSample;
            sample = scope is null ? next : scope.MoveToOuter(next);
        }
        return sample;
    }

    [Theory]
    [InlineData("pndm")]
    [InlineData("dpmpp_2m")]
    [InlineData("lms")]
    [InlineData("heun")]
    [InlineData("euler_a")]
    [InlineData("ddpm")]
    public void HistorySurvivesPerStepDisposeScopes(string name)
    {
        var plain = Run(SchedulerFactory.Create(name, Sd), false, new Generator(11));
        var scoped = Run(SchedulerFactory.Create(name, Sd), true, new Generator(11));
        Assert.Equal(0.0, (plain - scoped).abs().max().item<float>());
        Assert.True(plain.isfinite().all().item<bool>());
    }

    [Fact]
    public void SetTimestepsResetsTheState()
    {
        var s = SchedulerFactory.Create("pndm", Sd);
        var first = Run(s, false);
        var second = Run(s, false);
        Assert.Equal(0.0, (first - second).abs().max().item<float>());
    }

    [Theory]
    [InlineData("euler_a", 1)]
    [InlineData("ddpm", 1)]
    public void StochasticSchedulersDrawOneNoisePerStepFromTheGenerator(string name, int drawsPerStep)
    {
        // Same generator seed -> same result; a generator advanced by the draws of one step first -> different result.
        var a = Run(SchedulerFactory.Create(name, Sd), false, new Generator(11));
        var b = Run(SchedulerFactory.Create(name, Sd), false, new Generator(11));
        Assert.Equal(0.0, (a - b).abs().max().item<float>());
        var advanced = new Generator(11);
        for (int k = 0; k < drawsPerStep; k++) randn(new long[] { 1, 4, 8, 8 }, generator: advanced);
        var c = Run(SchedulerFactory.Create(name, Sd), false, advanced);
        Assert.True((a - c).abs().max().item<float>() > 1e-3);
    }

    [Fact]
    public void DdimEtaAddsGeneratorNoiseScaledByTheDdimVariance()
    {
        var ddim = new DDIMScheduler(Sd) { Eta = 0.5 };
        ddim.SetTimesteps(10);
        var deterministic = new DDIMScheduler(Sd) { Eta = 0.5 };
        deterministic.SetTimesteps(10);
        var sample = randn(new long[] { 1, 4, 8, 8 }, generator: new Generator(1));
        var eps = randn(new long[] { 1, 4, 8, 8 }, generator: new Generator(2));
        long t = ddim.Timesteps[0].item<long>(), prev = ddim.Timesteps[1].item<long>();
        var ac = ddim.AlphasCumprod.to(ScalarType.Float64).data<double>().ToArray();
        double a = ac[t], ap = ac[prev];
        double variance = (1 - ap) / (1 - a) * (1 - a / ap); // DDIM paper eq. 16, sigma_t^2 / eta^2
        double std = 0.5 * Math.Sqrt(variance);
        var noise = randn(new long[] { 1, 4, 8, 8 }, generator: new Generator(7));
        var x0 = (sample - Math.Sqrt(1 - a) * eps) / Math.Sqrt(a);
        var expected = Math.Sqrt(ap) * x0 + Math.Sqrt(1 - ap - std * std) * eps + std * noise;
        var actual = ddim.Step(eps, t, sample, new Generator(7)).PrevSample;
        Assert.True((expected - actual).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void LmsCoefficientsMatchNumericalIntegration()
    {
        var lms = new LMSDiscreteScheduler(Sd);
        lms.SetTimesteps(10);
        var sigmas = lms.Sigmas!.to(ScalarType.Float64).data<double>().ToArray();
        for (int t = 0; t < 10; t++)
        {
            int order = Math.Min(t + 1, 4);
            for (int current = 0; current < order; current++)
            {
                double Lagrange(double tau)
                {
                    double p = 1;
                    for (int k = 0; k < order; k++)
                        if (k != current) p *= (tau - sigmas[t - k]) / (sigmas[t - current] - sigmas[t - k]);
                    return p;
                }
                // Composite Simpson's rule, 2000 intervals (exact for cubics up to rounding).
                double a = sigmas[t], b = sigmas[t + 1], h = (b - a) / 2000, sum = Lagrange(a) + Lagrange(b);
                for (int j = 1; j < 2000; j++) sum += (j % 2 == 1 ? 4 : 2) * Lagrange(a + j * h);
                double numeric = sum * h / 3;
                Assert.Equal(numeric, lms.LmsCoefficient(order, t, current), 1e-9);
            }
        }
    }

    [Fact]
    public void DynamicThresholdingClampsToThePerSampleQuantile()
    {
        // Imagen: s = clamp(quantile(|x0|, ratio), 1, max); x0 -> clamp(x0, -s, s) / s.
        var config = Sd with { Thresholding = true, DynamicThresholdingRatio = 0.9, SampleMaxValue = 2.5, PredictionType = "sample" };
        var ddpm = new DDPMScheduler(config);
        ddpm.SetTimesteps(10);
        var x0 = 3 * randn(new long[] { 2, 4, 8, 8 }, generator: new Generator(4));
        x0[1] = x0[1] * 0.2; // second sample: quantile below 1 -> s = 1
        var result = ddpm.Step(x0, ddpm.Timesteps[0], x0, new Generator(1)).PredOriginalSample!;
        for (int b = 0; b < 2; b++)
        {
            var values = x0[b].flatten().to(ScalarType.Float64).data<double>().ToArray();
            var sorted = values.Select(Math.Abs).OrderBy(v => v).ToArray();
            double pos = 0.9 * (sorted.Length - 1);
            int lo = (int)Math.Floor(pos);
            double q = sorted[lo] + (pos - lo) * (sorted[Math.Min(lo + 1, sorted.Length - 1)] - sorted[lo]);
            double s = Math.Clamp(q, 1, 2.5);
            var expected = tensor(values.Select(v => Math.Clamp(v, -s, s) / s).ToArray());
            Assert.True((expected - result[b].flatten().to(ScalarType.Float64)).abs().max().item<double>() < 1e-6);
        }
    }

    [Fact]
    public void TimestepsNotInTheScheduleAreRejected()
    {
        var euler = SchedulerFactory.Create("euler", Sd);
        euler.SetTimesteps(10);
        var e = Assert.Throws<ArgumentException>(() => euler.ScaleModelInput(zeros(1, 4, 8, 8), 123.25));
        Assert.Contains("123.25", e.Message);
        var ddim = SchedulerFactory.Create("ddim", Sd);
        Assert.Throws<InvalidOperationException>(() => ddim.Step(zeros(1, 4, 8, 8), 1, zeros(1, 4, 8, 8)));
    }
}
