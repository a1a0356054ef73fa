using Penumbra.MoE;
using TorchSharp;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Uncertainty;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>EMoE's cost against generation on the same model, in one run: EU alone per prompt (one prompt, and a batch of
/// 16 divided by 16) as a ratio of one 25-step guided image, and EU + image (<see cref="EmoeEstimator.ScoreWithImage"/>: the
/// paths ride in the image's first UNet call) as a ratio of the image alone. On the bundled toy mixture, or on an SD 1.5
/// shaped SegMoE built in memory (<see cref="RunSd15"/>).</summary>
public static class EmoeBench
{
    public static void Run(string moeFolder)
    {
        using var moe = SegMoePipeline.FromPretrained(moeFolder);
        Console.WriteLine($"EMoE cost on {moeFolder}: {moe.Model.NumExperts} experts, 25-step guided {moe.Pipeline.SchedulerConfig.ClassName} images");
        Measure(moe, "a big red circle on the left", new GenerationOptions { Prompts = new[] { "a big red circle on the left" }, Steps = 25, Seed = 0 },
            batchSize: 16, warmup: 2, repeats: 9);
    }

    /// <summary>SD 1.5's UNet (random weights, the real config) converted to a 4-expert top-2 SegMoE over every attention and
    /// feed-forward projection (moe_layers all), each expert a perturbed copy, with SD 1.5's text encoder and VAE (random
    /// weights), bf16, 256×256, PNDM 25 steps with CFG 7.5.</summary>
    public static void RunSd15(string fixtures)
    {
        using var noGrad = inference_mode();
        if (int.TryParse(Environment.GetEnvironmentVariable("PENUMBRA_BENCH_THREADS"), out int threads) && threads > 0) set_num_threads(threads);
        var dtype = ScalarType.BFloat16;
        var pipe = GenerationBench.RandomSd15Pipeline(fixtures, dtype);
        var config = new SegMoeConfig
        {
            BaseModel = "random SD 1.5", MoeLayers = "all", NumExpertsPerTok = 2, Type = "sd",
            Experts = Enumerable.Range(0, 4).Select(e => new SegMoeExpert { SourceModel = $"e{e}", PositivePrompt = "", NegativePrompt = "" }).ToArray(),
        };
        var model = SegMoeModel.Convert(pipe.Unet, config);
        var generator = new Generator(17);
        foreach (var block in model.Blocks.Values)
        {
            block.SetGate(randn(block.Gate.weight!.shape, generator: generator).to(dtype));
            for (int e = 1; e < block.NumExperts; e++)
                foreach (var p in block.Expert(e).parameters())
                    p.add_(randn(p.shape, generator: generator).to(dtype) * 0.01);
        }
        using var moe = SegMoePipeline.Create(pipe, model);
        long parameters = pipe.Unet.parameters().Sum(p => p.numel());
        Console.WriteLine($"EMoE cost on an SD 1.5 shaped SegMoE: 4 experts, top-2, {model.Slots.Count} MoE layers, UNet {parameters:N0} parameters, bf16, 256x256, {get_num_threads()} thread(s)");
        const string prompt = "a photo of an astronaut riding a horse";
        if (Environment.GetEnvironmentVariable("PENUMBRA_EMOE_PROFILE") == "1")
        {
            set_num_threads(1);
            EmoeProfile.Run(moe);
            return;
        }
        Measure(moe, prompt, new GenerationOptions { Prompts = new[] { prompt }, Steps = 25, Seed = 0, Height = 256, Width = 256 },
            batchSize: 4, warmup: 1, repeats: 2);
    }

    private static void Measure(SegMoePipeline moe, string prompt, GenerationOptions generation, int batchSize, int warmup, int repeats)
    {
        var estimator = new EmoeEstimator(moe);
        var options = new EmoeOptions { Seed = 0, Height = generation.Height, Width = generation.Width };
        var batch = Enumerable.Range(0, batchSize).Select(i => $"a small {(i % 2 == 0 ? "blue" : "green")} square number {i}").ToArray();
        // Interleaved: on a shared host the same action's time drifts between blocks of repeats, the ratios must not.
        // z (the latent after one scheduler step) needs every path's whole UNet pass, not only the way to the mid block.
        var t = StopwatchHarness.MeasureInterleaved(warmup, repeats,
            ("image (25 steps, CFG 7.5)", () => { using var r = moe.Pipeline.Generate(generation); }),
            ("EU alone, 1 prompt", () => { using var r = estimator.Score(prompt, options); }),
            ($"EU alone, batch of {batchSize} prompts", () => { foreach (var r in estimator.Score(batch, options)) r.Dispose(); }),
            ("EU alone, 1 prompt, latent z", () => { using var r = estimator.Score(prompt, options with { Latent = EmoeLatent.Z }); }),
            ("EU + image, 1 prompt", () =>
            {
                var (result, _) = estimator.ScoreWithImage(prompt, options, generation.GuidanceScale);
                result.Dispose();
            }));
        var (image, one, many, z, both) = (t[0], t[1], t[2], t[3], t[4]);
        Console.WriteLine($"  EU alone / image: {one.MedianMs / image.MedianMs:F3} (1 prompt), {many.MedianMs / batchSize / image.MedianMs:F3} (per prompt in a batch of {batchSize})");
        Console.WriteLine($"  EU alone (latent z) / image: {z.MedianMs / image.MedianMs:F3}");
        Console.WriteLine($"  EU + image / image: {both.MedianMs / image.MedianMs:F3}");
    }
}
