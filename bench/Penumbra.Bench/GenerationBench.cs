using System.Diagnostics;
using Penumbra.Checkpoints;
using Penumbra.Configs;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using Penumbra.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>A 25-step 256×256 SD 1.5 generation end to end (CLIP encode of the CFG pair, 25 PNDM steps with guidance 7.5,
/// VAE decode, RGB8 conversion) through <see cref="StableDiffusionPipeline"/>, in fp32 and bf16, with full-size models of
/// the real configs (UNet from the random-weight single file of <see cref="SingleFileLoadBench"/>, text encoder and VAE
/// randomly initialised). In the same run: one UNet step, so the pipeline's overhead beyond 25 steps is a ratio.</summary>
public static class GenerationBench
{
    /// <summary>SD 1.5's own scheduler_config.json (runwayml/stable-diffusion-v1-5).</summary>
    private const string Sd15Scheduler = """
        {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012, "beta_schedule": "scaled_linear",
         "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
         "trained_betas": null, "clip_sample": false}
        """;

    /// <summary>SD 1.5 with random weights (UNet from the random single file, text encoder and VAE from their configs).</summary>
    public static StableDiffusionPipeline RandomSd15Pipeline(string fixtures, ScalarType dtype)
    {
        using var checkpoint = SingleFileCheckpoint.Open(SingleFileLoadBench.EnsureRandomSd15Unet(fixtures));
        return Sd15Pipeline(checkpoint, ClipTokenizer.FromPretrained(Path.Combine("models", "clip-tokenizer-sd1")), fixtures, dtype);
    }

    private static StableDiffusionPipeline Sd15Pipeline(SingleFileCheckpoint checkpoint, ClipTokenizer tokenizer, string fixtures, ScalarType dtype)
    {
        string Config(string c) => Path.Combine(fixtures, "configs", "sd15", c, "config.json");
        var unet = checkpoint.LoadUNet(dtype: dtype);
        var text = new ClipTextModel(CLIPConfig.LoadText(Config("text_encoder")));
        var vae = new AutoencoderKL(ConfigJson.Load<AutoencoderKLConfig>(Config("vae")));
        text.to(dtype).eval();
        vae.to(dtype).eval();
        return new StableDiffusionPipeline(tokenizer, text, unet, vae, ConfigJson.Parse<SchedulerConfig>(Sd15Scheduler), CPU, dtype, "random SD 1.5");
    }

    public static void Run(string fixtures)
    {
        using var noGrad = inference_mode();
        string file = SingleFileLoadBench.EnsureRandomSd15Unet(fixtures);
        var tokenizer = ClipTokenizer.FromPretrained(Path.Combine("models", "clip-tokenizer-sd1"));
        using var checkpoint = SingleFileCheckpoint.Open(file);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            string name = dtype == ScalarType.Float32 ? "fp32" : "bf16";
            using var pipe = Sd15Pipeline(checkpoint, tokenizer, fixtures, dtype);
            var unet = pipe.Unet;
            var options = new GenerationOptions { Prompts = new[] { "a photo of an astronaut riding a horse" }, Steps = 25, Seed = 0, Height = 256, Width = 256 };
            var image = StopwatchHarness.Measure($"SD 1.5 image 256x256, 25 PNDM steps, CFG 7.5, {name}", () => { using var r = pipe.Generate(options); },
                warmup: 1, repeats: 2);
            using var x = randn(2, 4, 32, 32).to(dtype);
            using var ctx = randn(2, 77, 768).to(dtype);
            var step = StopwatchHarness.Measure($"  one UNet step of it (CFG batch 2), {name}", () => { using var y = unet.Forward(x, 500, ctx); },
                warmup: 0, repeats: 2);
            Console.WriteLine($"  image / (25 x step) = {image.MedianMs / (25 * step.MedianMs):F3} (the rest: text encode, VAE decode, scheduler, conversion)");
        }
    }
}
