using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

/// <summary>
/// A deterministic sampler fed the true noise of its input (x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps, in sigma space
/// x = x0 + sigma eps) must land exactly on the noised x0 of the timestep it steps to: every update formula (DDIM, PNDM's
/// formula 9 and its Runge-Kutta / linear-multistep combinations, Euler, Heun, LMS whose Lagrange weights integrate
/// to the step, DPM-Solver's exponential integrators) is exact for a constant noise prediction. This checks the
/// configurations the reference files do not cover (Karras and Lu sigmas, PRK warm-up, third order, leading spacing).
/// </summary>
public class PerfectDenoiserTests
{
    private const double Tolerance = 1e-4;

    private static readonly SchedulerConfig Sd = new()
    {
        BetaSchedule = "scaled_linear", BetaStart = 0.00085, BetaEnd = 0.012, StepsOffset = 1,
        SetAlphaToOne = false, ClipSample = false,
    };

    public static TheoryData<string, string> AlphaSpaceCases => new()
    {
        { "ddim", "leading" }, { "ddim", "trailing" }, { "ddim", "alpha_one" },
        { "pndm", "leading" }, { "pndm", "prk" }, { "pndm", "trailing" },
    };

    [Theory]
    [MemberData(nameof(AlphaSpaceCases))]
    public void AlphaSpaceSchedulersAreExact(string name, string variant)
    {
        // (DDIM's linspace spacing is left out: diffusers steps from t to t - T // n there, not to the next entry.)
        var config = variant switch
        {
            "prk" => Sd with { TimestepSpacing = "leading", SkipPrkSteps = false },
            "alpha_one" => Sd with { TimestepSpacing = "leading", SetAlphaToOne = true },
            _ => Sd with { TimestepSpacing = variant, SkipPrkSteps = true },
        };
        using var scope = NewDisposeScope();
        var (x0, eps) = Draw();
        var s = SchedulerFactory.Create(name, config);
        s.SetTimesteps(10);
        var ac = s.AlphasCumprod.to(ScalarType.Float64).data<double>().ToArray();
        double a0 = ac[(long)s.Timesteps[0].item<long>()];
        var sample = Math.Sqrt(a0) * x0 + Math.Sqrt(1 - a0) * eps;
        for (long i = 0; i < s.Timesteps.shape[0]; i++)
            sample = s.Step(eps, s.Timesteps[i], s.ScaleModelInput(sample, s.Timesteps[i])).PrevSample;
        double aFinal = variant == "alpha_one" ? 1.0 : ac[0]; // else the last step lands on alphas_cumprod[0]
        AssertClose(Math.Sqrt(aFinal) * x0 + Math.Sqrt(1 - aFinal) * eps, sample);
    }

    [Fact]
    public void DdimWithVPredictionIsExactAtEveryStep()
    {
        using var scope = NewDisposeScope();
        var (x0, eps) = Draw();
        var s = SchedulerFactory.Create("ddim", Sd with { PredictionType = "v_prediction", TimestepSpacing = "trailing" });
        s.SetTimesteps(10);
        var ac = s.AlphasCumprod.to(ScalarType.Float64).data<double>().ToArray();
        var ts = s.Timesteps.data<long>().ToArray();
        var sample = Math.Sqrt(ac[ts[0]]) * x0 + Math.Sqrt(1 - ac[ts[0]]) * eps;
        for (int i = 0; i < ts.Length; i++)
        {
            double a = ac[ts[i]];
            var v = Math.Sqrt(a) * eps - Math.Sqrt(1 - a) * x0;
            var result = s.Step(v, ts[i], sample);
            AssertClose(x0, result.PredOriginalSample!);
            double aPrev = i + 1 < ts.Length ? ac[ts[i + 1]] : ac[0];
            AssertClose(Math.Sqrt(aPrev) * x0 + Math.Sqrt(1 - aPrev) * eps, result.PrevSample);
            sample = result.PrevSample;
        }
    }

    public static TheoryData<string, string> SigmaSpaceCases => new()
    {
        { "euler", "linspace" }, { "euler", "leading" }, { "euler", "karras" }, { "euler", "log_linear" }, { "euler", "vpred" },
        { "lms", "linspace" }, { "lms", "karras" }, { "lms", "trailing" },
        { "heun", "linspace" }, { "heun", "karras" }, { "heun", "vpred" },
    };

    [Theory]
    [MemberData(nameof(SigmaSpaceCases))]
    public void SigmaSpaceSchedulersAreExact(string name, string variant)
    {
        var config = variant switch
        {
            "karras" => Sd with { UseKarrasSigmas = true },
            "log_linear" => Sd with { InterpolationType = "log_linear" },
            "vpred" => Sd with { PredictionType = "v_prediction", TimestepSpacing = "trailing" },
            _ => Sd with { TimestepSpacing = variant },
        };
        using var scope = NewDisposeScope();
        var (x0, eps) = Draw();
        var s = SchedulerFactory.Create(name, config);
        s.SetTimesteps(10);
        var sigmas = s.Sigmas!.to(ScalarType.Float64).data<double>().ToArray();
        var sample = x0 + sigmas[0] * eps;
        for (long i = 0; i < s.Timesteps.shape[0]; i++)
        {
            double sigma = sigmas[i];
            double alpha = 1 / Math.Sqrt(sigma * sigma + 1);
            var output = variant == "vpred" ? alpha * eps - sigma * alpha * x0 : eps;
            s.ScaleModelInput(sample, s.Timesteps[i]);
            sample = s.Step(output, s.Timesteps[i], sample).PrevSample;
        }
        // The last step lands on the sigma after the last timestep (0, or sigma_min with log-linear interpolation,
        // which makes n + 1 sigmas before the appended 0).
        AssertClose(x0 + sigmas[s.Timesteps.shape[0]] * eps, sample);
    }

    public static TheoryData<string> DpmCases => new()
    {
        "dpmsolver++/2/midpoint", "dpmsolver++/3/midpoint", "dpmsolver++/2/heun", "dpmsolver/2/midpoint",
        "dpmsolver/3/midpoint", "dpmsolver++/1/midpoint", "dpmsolver++/2/karras", "dpmsolver++/2/lu",
        "dpmsolver++/2/leading", "dpmsolver++/2/trailing", "dpmsolver++/2/vpred",
    };

    [Theory]
    [MemberData(nameof(DpmCases))]
    public void DpmSolverIsExact(string variant)
    {
        var parts = variant.Split('/');
        var config = Sd with { AlgorithmType = parts[0], SolverOrder = int.Parse(parts[1]) };
        config = parts[2] switch
        {
            "karras" => config with { UseKarrasSigmas = true },
            "lu" => config with { UseLuLambdas = true },
            "leading" or "trailing" => config with { TimestepSpacing = parts[2] },
            "vpred" => config with { PredictionType = "v_prediction" },
            _ => config with { SolverType = parts[2] },
        };
        using var scope = NewDisposeScope();
        var (x0, eps) = Draw();
        var s = new DPMSolverMultistepScheduler(config);
        s.SetTimesteps(20); // >= 15 steps: no lower-order final steps, so third order runs to the end
        var sigmas = s.Sigmas!.to(ScalarType.Float64).data<double>().ToArray();
        static (double A, double S) AlphaSigma(double sigma) => (1 / Math.Sqrt(sigma * sigma + 1), sigma / Math.Sqrt(sigma * sigma + 1));
        var (a0, s0) = AlphaSigma(sigmas[0]);
        var sample = a0 * x0 + s0 * eps;
        for (long i = 0; i < s.Timesteps.shape[0]; i++)
        {
            var (a, sg) = AlphaSigma(sigmas[i]);
            var output = parts[2] == "vpred" ? a * eps - sg * x0 : eps;
            sample = s.Step(output, s.Timesteps[i], sample).PrevSample;
        }
        var (aN, sN) = AlphaSigma(sigmas[^1]);
        AssertClose(aN * x0 + sN * eps, sample);
    }

    private static (Tensor X0, Tensor Eps) Draw()
    {
        using var g = new Generator(3);
        return (randn(new long[] { 1, 4, 8, 8 }, generator: g), randn(new long[] { 1, 4, 8, 8 }, generator: g));
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        double err = (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(err <= Tolerance, $"max abs error {err:E3}");
    }
}
