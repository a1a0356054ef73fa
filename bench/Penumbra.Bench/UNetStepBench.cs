using Penumbra.Checkpoints;
using Penumbra.Configs;
using Penumbra.Models.Attention;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Pipelines.StableDiffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>Time per UNet step (a CFG batch of 2, as in generation) and per image, and the achieved GFLOP/s against the
/// matmul peak of the same dtype measured in the same run: on the tiny-sd folder, and on a full-size SD 1.5 UNet (random
/// weights from the real config, loaded from the single file <see cref="SingleFileLoadBench"/> writes) at 256×256 and
/// 512×512 in fp32 and bf16. <c>PENUMBRA_BENCH_SKIP_512=1</c> leaves out 512×512.</summary>
public static class UNetStepBench
{
    public static void Run(string fixtures, double peakGflops)
    {
        using var noGrad = inference_mode();
        using (var pipe = StableDiffusionPipeline.FromPretrained(Path.Combine(fixtures, "tiny-sd")))
        {
            Step("tiny-sd UNet step (CFG batch 2)", pipe.Unet, pipe.DefaultHeight / pipe.VaeScaleFactor, peakGflops, repeats: 20);
            StopwatchHarness.Measure("tiny-sd image (25 steps, PNDM, CFG 7.5)", () =>
            {
                using var r = pipe.Generate(new GenerationOptions { Prompts = new[] { "a red circle" }, Steps = 25, Seed = 0 });
            }, warmup: 1, repeats: 5);
        }
        string file = SingleFileLoadBench.EnsureRandomSd15Unet(fixtures);
        bool with512 = Environment.GetEnvironmentVariable("PENUMBRA_BENCH_SKIP_512") != "1";
        using (var checkpoint = SingleFileCheckpoint.Open(file))
        {
            using (var fp32 = checkpoint.LoadUNet(dtype: ScalarType.Float32))
            {
                Step("SD 1.5 UNet step 256x256 fp32 (CFG batch 2)", fp32, 256 / 8, peakGflops, repeats: 3);
                UNetProfile.Run("SD 1.5 UNet 256x256 fp32 profile", fp32, 256 / 8);
                AttentionProcessors.Set(fp32, new ExplicitAttentionProcessor());
                Step("SD 1.5 UNet step 256x256 fp32, unfused attention", fp32, 256 / 8, peakGflops, repeats: 1, warmup: 0);
                AttentionProcessors.Set(fp32, ScaledDotProductAttentionProcessor.Instance);
                using (var threads = new ThreadCount(1))
                    Step($"SD 1.5 UNet step 256x256 fp32, 1 thread (of {threads.Previous})", fp32, 256 / 8, peakGflops, repeats: 1, warmup: 0);
                if (with512) Step("SD 1.5 UNet step 512x512 fp32 (CFG batch 2)", fp32, 512 / 8, peakGflops, repeats: 1, warmup: 0);
            }
            Components(fixtures);
            double bf16Peak = MatmulPeak.Measure(dtype: ScalarType.BFloat16);
            using var bf16 = checkpoint.LoadUNet(dtype: ScalarType.BFloat16);
            Step("SD 1.5 UNet step 256x256 bf16 (CFG batch 2)", bf16, 256 / 8, bf16Peak, repeats: 3, fp32Peak: peakGflops);
            if (with512) Step("SD 1.5 UNet step 512x512 bf16 (CFG batch 2)", bf16, 512 / 8, bf16Peak, repeats: 1, warmup: 0, fp32Peak: peakGflops);
        }
    }

    /// <summary>Full-size SD 1.5 VAE decode at 256×256 and CLIP text encode of a CFG pair (random init from the real configs, fp32).</summary>
    private static void Components(string fixtures)
    {
        string Config(string c) => Path.Combine(fixtures, "configs", "sd15", c, "config.json");
        using (var vae = new AutoencoderKL(ConfigJson.Load<AutoencoderKLConfig>(Config("vae"))))
        using (var latents = randn(1, 4, 32, 32))
        {
            vae.eval();
            StopwatchHarness.Measure("SD 1.5 VAE decode 256x256 fp32", () => { using var image = vae.Decode(latents); }, warmup: 1, repeats: 3);
        }
        using var text = new ClipTextModel(CLIPConfig.LoadText(Config("text_encoder")));
        using var ids = randint(0, 49406, new long[] { 2, 77 });
        text.eval();
        StopwatchHarness.Measure("SD 1.5 CLIP text encode (2 x 77 tokens) fp32", () => { using var o = text.Forward(ids); }, warmup: 1, repeats: 5);
    }

    private static void Step(string name, UNet2DConditionModel unet, int latentSize, double peakGflops, int repeats, int warmup = 1, double? fp32Peak = null)
    {
        var cross = unet.Config.CrossAttentionDim.Values[0];
        var dtype = unet.parameters().First().dtype;
        using var x = randn(2, unet.Config.InChannels, latentSize, latentSize).to(dtype);
        using var ctx = randn(2, 77, cross).to(dtype);
        double flops = FlopCounter.Count(unet, () => { using var y = unet.Forward(x, 500, ctx); });
        var t = StopwatchHarness.Measure(name, () => { using var y = unet.Forward(x, 500, ctx); }, warmup: warmup, repeats: repeats);
        double gflops = flops / (t.MedianMs * 1e-3) / 1e9;
        string vsFp32 = fp32Peak is { } p ? $", {gflops / p:P0} of the fp32 matmul peak" : "";
        Console.WriteLine($"  {flops / 1e9:F2} GFLOP per step -> {gflops:F1} GFLOP/s = {gflops / peakGflops:P0} of the {(dtype == ScalarType.Float32 ? "fp32" : "bf16")} matmul peak{vsFp32}");
    }

    /// <summary>Sets torch's intra-op thread count for a block (the thread-setting comparison).</summary>
    private sealed class ThreadCount : IDisposable
    {
        public ThreadCount(int n)
        {
            Previous = get_num_threads();
            set_num_threads(n);
        }

        public int Previous { get; }
        public void Dispose() => set_num_threads(Previous);
    }
}
