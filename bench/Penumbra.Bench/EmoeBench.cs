using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Uncertainty;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>EMoE's cost against generation on the same model, in one run: EU alone per prompt (one prompt, and a batch of
/// 16 divided by 16) as a ratio of one 25-step guided image, and EU + image (score, then the normal image from the same
/// seed) as a ratio of the image alone.</summary>
public static class EmoeBench
{
    public static void Run(string moeFolder)
    {
        using var moe = SegMoePipeline.FromPretrained(moeFolder);
        var estimator = new EmoeEstimator(moe);
        var options = new EmoeOptions { Seed = 0 };
        const string prompt = "a big red circle on the left";
        var batch = Enumerable.Range(0, 16).Select(i => $"a small {(i % 2 == 0 ? "blue" : "green")} square number {i}").ToArray();
        var generation = new GenerationOptions { Prompts = new[] { prompt }, Steps = 25, Seed = 0 };
        Console.WriteLine($"EMoE cost on {moeFolder}: {moe.Model.NumExperts} experts, 25-step guided DDPM images");
        var image = StopwatchHarness.Measure("image (25 steps, CFG 7.5)", () => { using var r = moe.Pipeline.Generate(generation); }, 2, 9);
        var one = StopwatchHarness.Measure("EU alone, 1 prompt", () => { using var r = estimator.Score(prompt, options); }, 2, 9);
        var many = StopwatchHarness.Measure("EU alone, batch of 16 prompts", () =>
        {
            foreach (var r in estimator.Score(batch, options)) r.Dispose();
        }, 2, 9);
        var both = StopwatchHarness.Measure("EU + image, 1 prompt", () =>
        {
            using (estimator.Score(prompt, options)) { }
            using var r = moe.Pipeline.Generate(generation);
        }, 2, 9);
        Console.WriteLine($"  EU alone / image: {one.MedianMs / image.MedianMs:F3} (1 prompt), {many.MedianMs / 16 / image.MedianMs:F3} (per prompt in a batch of 16)");
        Console.WriteLine($"  EU + image / image: {both.MedianMs / image.MedianMs:F3}");
    }
}
