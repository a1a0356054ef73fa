using Penumbra.Configs;
using Penumbra.Models.Unets;
using Penumbra.Pipelines.StableDiffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>Time per UNet step (a CFG batch of 2, as in generation) and per image, and the achieved GFLOP/s against the
/// fp32 matmul peak measured in the same run: on the tiny-sd folder and on a full-size SD 1.5 UNet (random weights,
/// the real config) at 256×256.</summary>
public static class UNetStepBench
{
    public static void Run(string fixtures, double peakGflops)
    {
        using var noGrad = inference_mode();
        using (var pipe = StableDiffusionPipeline.FromPretrained(Path.Combine(fixtures, "tiny-sd")))
        {
            Step("tiny-sd UNet step (CFG batch 2)", pipe.Unet, pipe.DefaultHeight / pipe.VaeScaleFactor, peakGflops, repeats: 20);
            var t = StopwatchHarness.Measure("tiny-sd image (25 steps, PNDM, CFG 7.5)", () =>
            {
                using var r = pipe.Generate(new GenerationOptions { Prompts = new[] { "a red circle" }, Steps = 25, Seed = 0 });
            }, warmup: 1, repeats: 5);
        }
        var config = ConfigJson.Load<UNet2DConditionConfig>(Path.Combine(fixtures, "configs", "sd15", "unet", "config.json"));
        using var sd15 = new UNet2DConditionModel(config);
        sd15.eval();
        Step("SD 1.5 UNet step at 256x256 (CFG batch 2)", sd15, 256 / 8, peakGflops, repeats: 3);
    }

    private static void Step(string name, UNet2DConditionModel unet, int latentSize, double peakGflops, int repeats)
    {
        var cross = unet.Config.CrossAttentionDim.Values[0];
        using var x = randn(2, unet.Config.InChannels, latentSize, latentSize);
        using var ctx = randn(2, 77, cross);
        double flops = FlopCounter.Count(unet, () => { using var y = unet.Forward(x, 500, ctx); });
        var t = StopwatchHarness.Measure(name, () => { using var y = unet.Forward(x, 500, ctx); }, warmup: 1, repeats: repeats);
        double gflops = flops / (t.MedianMs * 1e-3) / 1e9;
        Console.WriteLine($"  {flops / 1e9:F2} GFLOP per step -> {gflops:F1} GFLOP/s = {gflops / peakGflops:P0} of the fp32 matmul peak");
    }
}
