using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Schedulers;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Schedulers;

public class SchedulerConfigTests
{
    private const string Sd15Json = """
        {
          "_class_name": "PNDMScheduler",
          "_diffusers_version": "0.6.0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "num_train_timesteps": 1000,
          "set_alpha_to_one": false,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "trained_betas": null,
          "clip_sample": false,
          "some_future_key": [1, 2, 3]
        }
        """;

    [Fact]
    public void ReadsKeysAndKeepsUnknownOnes()
    {
        var c = SchedulerConfig.Parse(Sd15Json);
        Assert.Equal("PNDMScheduler", c.ClassName);
        Assert.Equal(0.00085, c.BetaStart);
        Assert.Equal(0.012, c.BetaEnd);
        Assert.Equal("scaled_linear", c.BetaSchedule);
        Assert.True(c.SkipPrkSteps);
        Assert.Equal(1, c.StepsOffset);
        Assert.False(c.SetAlphaToOne);
        Assert.False(c.ClipSample);
        Assert.Null(c.TrainedBetas);
        Assert.Null(c.TimestepSpacing); // not in the file: each class uses its own default
        Assert.Equal("epsilon", c.PredictionType);
        Assert.NotNull(c.Extra);
        Assert.Equal("0.6.0", c.Extra!["_diffusers_version"].GetString());
        Assert.Equal(3, c.Extra["some_future_key"].GetArrayLength());
    }

    [Fact]
    public void SaveRoundTripsKeysAndPythonInfinity()
    {
        var dir = Directory.CreateTempSubdirectory("sched").FullName;
        try
        {
            var c = SchedulerConfig.Parse(Sd15Json) with { ClassName = "DPMSolverMultistepScheduler" };
            c.Save(dir);
            string text = File.ReadAllText(Path.Combine(dir, SchedulerConfig.FileName));
            Assert.Contains("\"lambda_min_clipped\": -Infinity", text); // as Python's json writes it
            Assert.DoesNotContain("\"timestep_spacing\"", text);       // unset class-dependent keys stay unset
            var back = SchedulerConfig.Load(dir);
            Assert.Equal(double.NegativeInfinity, back.LambdaMinClipped);
            Assert.Equal(c.BetaStart, back.BetaStart);
            Assert.Equal("DPMSolverMultistepScheduler", back.ClassName);
            Assert.Equal(3, back.Extra!["some_future_key"].GetArrayLength());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void UseDefaultValuesDropsKeysTheUserNeverSet()
    {
        var obj = JsonNode.Parse("""
            { "timestep_spacing": "leading", "steps_offset": 1, "_use_default_values": ["timestep_spacing"] }
            """)!.AsObject();
        var c = SchedulerConfig.FromJsonObject(obj);
        Assert.Null(c.TimestepSpacing);
        Assert.Equal(1, c.StepsOffset);
        Assert.True(c.Extra is null || !c.Extra.ContainsKey("_use_default_values"));
    }

    [Fact]
    public void ClassDefaultsFillUnsetKeys()
    {
        var empty = new SchedulerConfig();
        var ddim = new DDIMScheduler(empty).Config;
        Assert.Equal((0.0001, 0.02, "leading", true, true), (ddim.BetaStart, ddim.BetaEnd, ddim.TimestepSpacing, ddim.ClipSample, ddim.SetAlphaToOne));
        var pndm = new PNDMScheduler(empty).Config;
        Assert.False(pndm.SetAlphaToOne);
        var heun = new HeunDiscreteScheduler(empty).Config;
        Assert.Equal((0.00085, 0.012, "linspace", false), (heun.BetaStart, heun.BetaEnd, heun.TimestepSpacing, heun.ClipSample));
        Assert.Equal("fixed_small", new DDPMScheduler(empty).Config.VarianceType);
        Assert.Equal("linspace", new EulerDiscreteScheduler(empty).Config.TimestepSpacing);
        Assert.Equal("EulerDiscreteScheduler", new EulerDiscreteScheduler(empty).Config.ClassName);
    }

    [Fact]
    public void FixtureFolderConfigLoadsAsItsClass()
    {
        var folder = Fixtures.Path("tiny-sd");
        var json = ConfigJson.LoadObject(Path.Combine(folder, "scheduler", SchedulerConfig.FileName));
        var scheduler = SchedulerFactory.FromPretrained(folder);
        Assert.Equal(json["_class_name"]!.GetValue<string>(), scheduler.Config.ClassName);
        Assert.Equal(json["beta_start"]!.GetValue<double>(), scheduler.Config.BetaStart);
        Assert.Equal(json["num_train_timesteps"]!.GetValue<int>(), scheduler.Config.NumTrainTimesteps);
    }

    [Fact]
    public void BadConfigFileNamesTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("sched").FullName;
        try
        {
            string path = Path.Combine(dir, SchedulerConfig.FileName);
            File.WriteAllText(path, """{ "num_train_timesteps": "many" }""");
            var e = Assert.Throws<CheckpointFormatException>(() => SchedulerConfig.Load(dir));
            Assert.Contains(path, e.Message);
            Assert.Throws<FileNotFoundException>(() => SchedulerConfig.Load(Path.Combine(dir, "missing.json")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
