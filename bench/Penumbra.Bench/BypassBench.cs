using System.Diagnostics;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>
/// <c>bypass</c>: the mid-block bypass's extra cost per UNet step (plain vs <c>const:0.8</c>, tap installed and removed every
/// step; CFG batch 2) on tiny-sd and the bundled toy model, measured alternately in rounds. <c>memory</c>: many toy-model
/// generations in a row, printing RSS and TorchSharp's live tensor count (this thread's dispose-scope statistics) at
/// intervals, so leaks show as growth.
/// </summary>
public static class BypassBench
{
    public static void Overhead(string fixtures, string toyModel)
    {
        using var noGrad = inference_mode();
        using (var tiny = StableDiffusionPipeline.FromPretrained(Path.Combine(fixtures, "tiny-sd")))
            Compare("tiny-sd", tiny.Unet, tiny.DefaultHeight / tiny.VaeScaleFactor, 50);
        using var toy = SegMoePipeline.FromPretrained(toyModel);
        Compare("toy-segmoe", toy.Pipeline.Unet, toy.Pipeline.DefaultHeight, 50);
    }

    private static void Compare(string name, Penumbra.Models.Unets.UNet2DConditionModel unet, int size, int repeats)
    {
        var bypass = new MidBlockBypass(BypassSchedule.Parse("const:0.8"));
        using var x = randn(2, unet.Config.InChannels, size, size);
        using var ctx = randn(2, 77, unet.Config.CrossAttentionDim.Values[0]);
        var plain = new List<double>();
        var tapped = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            plain.Add(StopwatchHarness.Measure($"{name} UNet step, plain", () => { using var y = unet.Forward(x, 500, ctx); }, 3, repeats).MedianMs);
            tapped.Add(StopwatchHarness.Measure($"{name} UNet step, bypass const:0.8", () =>
            {
                using (bypass.BeginStep(unet, 0, 1)) { using var y = unet.Forward(x, 500, ctx); }
            }, 3, repeats).MedianMs);
        }
        double p = plain.Order().ElementAt(2), b = tapped.Order().ElementAt(2);
        Console.WriteLine($"  {name}: median of 5 round medians: plain {p:F3} ms, bypass {b:F3} ms, overhead {(b - p) / p:P2}");
    }

    public static void Memory(string toyModel, int generations = 200, int steps = 10)
    {
        using var toy = SegMoePipeline.FromPretrained(toyModel);
        var pipe = toy.Pipeline;
        pipe.Modifier = new MidBlockBypass(BypassSchedule.Parse("ramp:0.5->1@0-0.3"));
        var stats = DisposeScopeManager.Statistics;
        var process = Process.GetCurrentProcess();
        var sw = Stopwatch.StartNew();
        Console.WriteLine($"memory: {generations} generations of the toy model, {steps} steps, 2 prompts x 2 images, CFG, bypass {pipe.Modifier.Describe()}");
        Console.WriteLine("  generation   RSS MiB   live tensors (this thread)   created outside scopes   s");
        for (int i = 0; i <= generations; i++)
        {
            if (i % 25 == 0 || i == 1)
            {
                process.Refresh();
                Console.WriteLine($"  {i,10}   {process.WorkingSet64 / 1048576.0,7:F1}   {stats.ThreadTotalLiveCount,26}   {stats.CreatedOutsideScopeCount,22}   {sw.Elapsed.TotalSeconds,5:F0}");
            }
            if (i == generations) break;
            using var r = pipe.Generate(new GenerationOptions
            {
                Prompts = new[] { "a big red circle on the left", "a blue square" }, ImagesPerPrompt = 2, Steps = steps, Seed = i,
            });
        }
    }
}
