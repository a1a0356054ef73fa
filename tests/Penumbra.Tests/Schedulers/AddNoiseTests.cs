using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

/// <summary>
/// add_noise against the forward-process formulas, with alpha_bar computed here independently in float64 from the
/// scaled-linear betas: beta_i = (sqrt(b0) + i (sqrt(b1) - sqrt(b0)) / (T - 1))^2, alpha_bar_t = prod_{i &lt;= t} (1 - beta_i).
/// DDPM / DDIM / PNDM: sqrt(alpha_bar_t) x + sqrt(1 - alpha_bar_t) eps. Euler family: x + sigma_t eps with
/// sigma_t = sqrt((1 - alpha_bar_t) / alpha_bar_t). DPM-Solver: the first formula written with sigma_t.
/// </summary>
public class AddNoiseTests
{
    private const int T = 1000;
    private const double B0 = 0.00085, B1 = 0.012;

    private static readonly SchedulerConfig Sd = new()
    {
        BetaSchedule = "scaled_linear", BetaStart = B0, BetaEnd = B1, NumTrainTimesteps = T, StepsOffset = 1,
    };

    private static double[] AlphaBar()
    {
        var result = new double[T];
        double product = 1, r0 = Math.Sqrt(B0), r1 = Math.Sqrt(B1);
        for (int i = 0; i < T; i++)
        {
            double root = r0 + i * (r1 - r0) / (T - 1);
            product *= 1 - root * root;
            result[i] = product;
        }
        return result;
    }

    private static (Tensor X, Tensor Eps) Draw(int batch)
    {
        var g = new Generator(21);
        return (randn(new long[] { batch, 4, 8, 8 }, generator: g), randn(new long[] { batch, 4, 8, 8 }, generator: g));
    }

    private static Tensor PerSample(IEnumerable<double> values, int dims) =>
        tensor(values.ToArray(), ScalarType.Float32).reshape(new long[] { -1 }.Concat(Enumerable.Repeat(1L, dims - 1)).ToArray());

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double err = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(err <= tolerance, $"max abs error {err:E3} > {tolerance:E0}");
    }

    [Theory]
    [InlineData("ddpm")]
    [InlineData("ddim")]
    [InlineData("pndm")]
    public void AlphaSchedulersUseSqrtAlphaBar(string name)
    {
        var ab = AlphaBar();
        var (x, eps) = Draw(3);
        long[] ts = { 0, 499, 999 };
        var s = SchedulerFactory.Create(name, Sd);
        var actual = s.AddNoise(x, eps, tensor(ts));
        var expected = PerSample(ts.Select(t => Math.Sqrt(ab[t])), 4) * x + PerSample(ts.Select(t => Math.Sqrt(1 - ab[t])), 4) * eps;
        AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void DdpmVelocityIsTheVPredictionTarget()
    {
        // Salimans & Ho 2022: v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x.
        var ab = AlphaBar();
        var (x, eps) = Draw(2);
        long[] ts = { 10, 900 };
        var actual = new DDPMScheduler(Sd).GetVelocity(x, eps, tensor(ts));
        var expected = PerSample(ts.Select(t => Math.Sqrt(ab[t])), 4) * eps - PerSample(ts.Select(t => Math.Sqrt(1 - ab[t])), 4) * x;
        AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void OneTimestepBroadcastsOverTheBatch()
    {
        var ab = AlphaBar();
        var (x, eps) = Draw(2);
        var actual = SchedulerFactory.Create("ddpm", Sd).AddNoise(x, eps, tensor(new long[] { 250 }));
        AssertClose(Math.Sqrt(ab[250]) * x + Math.Sqrt(1 - ab[250]) * eps, actual, 1e-5);
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("euler_a")]
    [InlineData("lms")]
    public void SigmaSchedulersAddSigmaTimesNoise(string name)
    {
        var ab = AlphaBar();
        var (x, eps) = Draw(3);
        var s = SchedulerFactory.Create(name, Sd);
        s.SetTimesteps(10); // linspace over 0..999 in 10 steps: integer timesteps 999, 888, ..., 0
        var picked = tensor(new long[] { 0, 4, 9 });
        var timesteps = s.Timesteps.index_select(0, picked);
        var ts = timesteps.to(ScalarType.Float64).data<double>().Select(v => (int)v).ToArray();
        Assert.Equal(new[] { 999, 555, 0 }, ts);
        var actual = s.AddNoise(x, eps, timesteps);
        var expected = x + PerSample(ts.Select(t => Math.Sqrt((1 - ab[t]) / ab[t])), 4) * eps;
        AssertClose(expected, actual, 1e-4); // sigma_999 is about 14.6: float32 relative error times 14.6
    }

    [Fact]
    public void HeunAddsTheInterpolatedSigmaOfRepeatedTimesteps()
    {
        // 3 steps over 0..999: timesteps 999, 499.5, 499.5, 0, 0; sigma(499.5) is the mean of sigma_499 and sigma_500.
        var ab = AlphaBar();
        double Sigma(int t) => Math.Sqrt((1 - ab[t]) / ab[t]);
        var (x, eps) = Draw(3);
        using var s = SchedulerFactory.Create("heun", Sd);
        s.SetTimesteps(3);
        var timesteps = tensor(new[] { 999f, 499.5f, 0f });
        var expected = x + PerSample(new[] { Sigma(999), (Sigma(499) + Sigma(500)) / 2, Sigma(0) }, 4) * eps;
        AssertClose(expected, s.AddNoise(x, eps, timesteps), 1e-4);
        // After a step, diffusers' occurrence counters pick the index: still the same sigmas for timesteps not yet
        // stepped, and (as in diffusers) no second occurrence of the stepped 999.
        s.Step(eps[..1], 999.0, x[..1]);
        var later = tensor(new[] { 499.5f, 0f });
        AssertClose(expected[1..], s.AddNoise(x[1..], eps[1..], later), 1e-4);
        Assert.Throws<ArgumentException>(() => s.AddNoise(x[..1], eps[..1], tensor(new[] { 999f })));
    }

    [Fact]
    public void DpmSolverUsesAlphaAndSigmaOfTheSigmaSchedule()
    {
        var ab = AlphaBar();
        var (x, eps) = Draw(2);
        var s = SchedulerFactory.Create("dpmpp_2m", Sd);
        s.SetTimesteps(10);
        var timesteps = s.Timesteps.index_select(0, tensor(new long[] { 0, 5 }));
        var ts = timesteps.data<long>().ToArray();
        var actual = s.AddNoise(x, eps, timesteps);
        var expected = PerSample(ts.Select(t => Math.Sqrt(ab[t])), 4) * x + PerSample(ts.Select(t => Math.Sqrt(1 - ab[t])), 4) * eps;
        AssertClose(expected, actual, 1e-5);
    }

    [Fact]
    public void EulerRejectsTimestepsOutsideItsSchedule()
    {
        var s = SchedulerFactory.Create("euler", Sd);
        s.SetTimesteps(10);
        var (x, eps) = Draw(1);
        Assert.Throws<ArgumentException>(() => s.AddNoise(x, eps, tensor(new[] { 500.5f })));
    }
}
