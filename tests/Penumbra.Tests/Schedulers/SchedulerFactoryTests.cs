using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

public class SchedulerFactoryTests
{
    private static readonly SchedulerConfig Pndm = SchedulerConfig.Parse("""
        { "_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
          "num_train_timesteps": 1000, "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1 }
        """);

    [Theory]
    [InlineData("ddim", "DDIMScheduler")]
    [InlineData("pndm", "PNDMScheduler")]
    [InlineData("euler", "EulerDiscreteScheduler")]
    [InlineData("euler_a", "EulerAncestralDiscreteScheduler")]
    [InlineData("dpmpp_2m", "DPMSolverMultistepScheduler")]
    [InlineData("dpmpp_2m_karras", "DPMSolverMultistepScheduler")]
    [InlineData("lms", "LMSDiscreteScheduler")]
    [InlineData("heun", "HeunDiscreteScheduler")]
    [InlineData("ddpm", "DDPMScheduler")]
    [InlineData("EulerAncestralDiscreteScheduler", "EulerAncestralDiscreteScheduler")]
    [InlineData("HEUN", "HeunDiscreteScheduler")]
    public void NamesPickClassesAndKeepTheBetas(string name, string className)
    {
        var s = SchedulerFactory.Create(name, Pndm);
        Assert.Equal(className, s.GetType().Name);
        Assert.Equal(className, s.Config.ClassName);
        Assert.Equal(1, s.Config.StepsOffset);
        var reference = SchedulerFactory.Create(Pndm);
        Assert.Equal(0.0, (s.AlphasCumprod - reference.AlphasCumprod).abs().max().item<float>());
    }

    [Fact]
    public void OverridingTakesTheNewClassDefaultsForUnsetKeys()
    {
        // The PNDM file does not set timestep_spacing: Euler uses its own default (linspace), DDIM its own (leading).
        Assert.Equal("linspace", SchedulerFactory.Create("euler", Pndm).Config.TimestepSpacing);
        Assert.Equal("leading", SchedulerFactory.Create("ddim", Pndm).Config.TimestepSpacing);
        // A key the file does set carries over.
        var trailing = Pndm with { TimestepSpacing = "trailing" };
        Assert.Equal("trailing", SchedulerFactory.Create("euler", trailing).Config.TimestepSpacing);
    }

    [Fact]
    public void DpmNamesSetAlgorithmOrderAndSigmas()
    {
        var karras = SchedulerFactory.Create("dpmpp_2m_karras", Pndm with { SolverOrder = 3 }).Config;
        Assert.Equal(("dpmsolver++", 2, true), (karras.AlgorithmType, karras.SolverOrder, karras.UseKarrasSigmas == true));
        var plain = SchedulerFactory.Create("dpmpp_2m", Pndm with { UseKarrasSigmas = true }).Config;
        Assert.False(plain.UseKarrasSigmas);
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => SchedulerFactory.Create("unipc", Pndm));
        Assert.Contains("'unipc'", e.Message);
        foreach (var name in new[] { "ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "lms", "heun", "ddpm" })
            Assert.Contains(name, e.Message);
        Assert.Throws<ArgumentException>(() => SchedulerFactory.Create(Pndm with { ClassName = null }));
    }

    [Fact]
    public void OrdersAndInitialNoise()
    {
        foreach (var name in SchedulerFactory.Names)
        {
            var s = SchedulerFactory.Create(name, Pndm);
            s.SetTimesteps(10);
            Assert.Equal(name == "heun" ? 2 : 1, s.Order);
            if (s.Sigmas is null || name.StartsWith("dpmpp")) Assert.Equal(1.0, s.InitNoiseSigma);
            else Assert.Equal(s.Sigmas.max().item<float>(), s.InitNoiseSigma, 1e-6); // linspace spacing: the largest sigma
        }
        // leading spacing: sqrt(sigma_max^2 + 1)
        var leading = SchedulerFactory.Create("euler", Pndm with { TimestepSpacing = "leading" });
        leading.SetTimesteps(10);
        double max = leading.Sigmas!.max().item<float>();
        Assert.Equal(Math.Sqrt(max * max + 1), leading.InitNoiseSigma, 1e-5);
    }
}
