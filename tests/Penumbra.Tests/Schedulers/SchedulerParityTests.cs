using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Schedulers;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Schedulers;

/// <summary>
/// Every <c>reference/schedulers/*.safetensors</c> (fixtures/README.md section 3): the chained sampling loop driven by the
/// class and config that <c>index.json</c> records for the file, compared tensor by tensor.
/// </summary>
public class SchedulerParityTests(ITestOutputHelper output)
{
    /// <summary>fixtures/README.md, "Tolerances": module-level references (schedulers) max abs diff &lt;= 1e-4.</summary>
    private const double Tolerance = 1e-4;

    private static string Dir => Fixtures.Path("reference", "schedulers");

    private static JsonObject Index => ConfigJson.LoadObject(System.IO.Path.Combine(Dir, "index.json"));

    public static TheoryData<string> Cases
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (file, _) in Index["files"]!.AsObject()) data.Add(file);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChainedLoopMatchesDiffusers(string file)
    {
        var index = Index;
        var entry = index["files"]![file]!.AsObject();
        int steps = index["num_inference_steps"]!.GetValue<int>();
        ulong seed = index["noise_generator_seed"]!.GetValue<ulong>();
        var config = SchedulerConfig.FromJsonObject(entry["config"]!.AsObject());
        using var reference = SafetensorsFile.Open(System.IO.Path.Combine(Dir, file));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var scheduler = SchedulerFactory.Create(entry["class"]!.GetValue<string>(), config);
        scheduler.SetTimesteps(steps);
        var errors = new Dictionary<string, double>();
        void Compare(string group, string key, Tensor actual)
        {
            var expected = reference.Load(key);
            Assert.Equal(expected.shape, actual.shape);
            double err = (actual.to(float64).cpu() - expected.to(float64)).abs().max().item<double>();
            Assert.True(err <= Tolerance, $"{file} {key}: max abs error {err:E3} > {Tolerance:E0}");
            errors[group] = Math.Max(errors.GetValueOrDefault(group), err);
        }

        Compare("timesteps", "timesteps", scheduler.Timesteps);
        Assert.Equal(reference.Contains("sigmas"), scheduler.Sigmas is not null);
        if (scheduler.Sigmas is not null) Compare("sigmas", "sigmas", scheduler.Sigmas);
        Compare("init_noise_sigma", "init_noise_sigma", tensor(new[] { scheduler.InitNoiseSigma }));
        Compare("alphas_cumprod", "alphas_cumprod", scheduler.AlphasCumprod);

        var modelOutput = reference.Load("in.model_output");
        var sample = reference.Load("in.sample");
        var generator = new Generator(seed);
        long n = scheduler.Timesteps.shape[0];
        Assert.Equal(entry["num_steps_entries"]!.GetValue<long>(), n);
        for (long i = 0; i < n; i++)
        {
            var t = scheduler.Timesteps[i];
            Compare("timesteps", $"step.{i}.timestep", t.reshape(1));
            Compare("samples", $"step.{i}.sample_in", sample);
            Compare("scaled", $"step.{i}.scaled", scheduler.ScaleModelInput(sample, t));
            var result = scheduler.Step(modelOutput, t, sample, generator);
            Compare("prev_sample", $"step.{i}.prev_sample", result.PrevSample);
            Assert.Equal(reference.Contains($"step.{i}.pred_original_sample"), result.PredOriginalSample is not null);
            if (result.PredOriginalSample is not null)
                Compare("pred_original_sample", $"step.{i}.pred_original_sample", result.PredOriginalSample);
            sample = result.PrevSample;
        }
        Compare("final", "final", sample);
        output.WriteLine($"{file}: max abs error {errors.Values.Max():E2} ("
                         + string.Join(", ", errors.Select(e => $"{e.Key} {e.Value:E2}")) + ")");
    }
}
