using Penumbra.Imaging;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// Image-to-image (SDEdit) on a <see cref="StableDiffusionPipeline"/>, following diffusers 0.25's
/// <c>StableDiffusionImg2ImgPipeline.__call__</c>: encode the prompt; set the scheduler's timesteps; keep the last
/// <c>int(steps · strength)</c> of them (<see cref="Timesteps"/>); encode the image with the VAE (a posterior sample from
/// the call's CPU generator, times the scaling factor; a pixel-space model uses the image itself); draw noise of that
/// shape from the same generator; <c>add_noise</c> at the first kept timestep; denoise over the kept timesteps with the
/// pipeline's own loop (and its <see cref="StableDiffusionPipeline.Modifier"/>, whose step index counts the steps run);
/// decode.
/// </summary>
public sealed class StableDiffusionImg2ImgPipeline
{
    public StableDiffusionImg2ImgPipeline(StableDiffusionPipeline pipeline) => Pipeline = pipeline;

    public StableDiffusionPipeline Pipeline { get; }

    public GenerationResult Generate(ImageToImageOptions o, string? scheduler = null) => Generate(o, Pipeline.CreateScheduler(scheduler));

    public GenerationResult Generate(ImageToImageOptions o, IScheduler scheduler)
    {
        var g = o.Generation;
        if (g.Height is not null || g.Width is not null || g.Latents is not null)
            throw new ArgumentException("image-to-image takes its size from the input image: leave Height, Width and Latents unset");
        if (!(o.Strength >= 0 && o.Strength <= 1)) throw new ArgumentException($"strength {o.Strength} must lie in [0, 1]");
        if (g.Steps < 1) throw new ArgumentException($"steps must be at least 1, got {g.Steps}");
        if (g.ImagesPerPrompt < 1) throw new ArgumentException($"images per prompt must be at least 1, got {g.ImagesPerPrompt}");
        var images = o.Images;
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"input images must be [N,3,H,W], got [{string.Join(",", images.shape)}]");
        long height = images.shape[2], width = images.shape[3];
        int factor = Pipeline.VaeScaleFactor;
        if (height % 8 != 0 || width % 8 != 0 || height % factor != 0 || width % factor != 0)
            throw new ArgumentException($"input image size {width}x{height} must be a multiple of 8 (and of the VAE factor {factor})");
        if (images.shape[0] != 1 && images.shape[0] != g.Prompts.Count)
            throw new ArgumentException($"{images.shape[0]} input images for {g.Prompts.Count} prompts: give one or one per prompt");

        bool guidance = g.GuidanceScale > 1.0;
        long seed = g.Seed ?? Random.Shared.NextInt64(0, uint.MaxValue);
        using var generator = new Generator((ulong)seed);
        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        using var embeds = Pipeline.EncodePrompt(g.Prompts, g.NegativePrompts, g.ImagesPerPrompt, guidance, g.ClipSkip);
        var context = embeds.ForGuidance();
        scheduler.SetTimesteps(g.Steps, Pipeline.Device);
        var timesteps = Timesteps(scheduler, g.Steps, o.Strength);
        if (timesteps.Length == 0)
            throw new ArgumentException($"strength {o.Strength} with {g.Steps} steps runs no denoising step (int(steps x strength) = 0); raise --strength or --steps");

        long batch = g.Prompts.Count * g.ImagesPerPrompt;
        var init = EncodeImages(images.to(Pipeline.DType).to(Pipeline.Device), generator);
        // One image for all rows, or image i for prompt i's rows (prompt-major, as the prompt embeddings; diffusers 0.25
        // tiles a per-prompt image list instead, which pairs images with the wrong prompts when images per prompt > 1).
        init = init.shape[0] == 1 ? init.expand(batch, -1, -1, -1) : init.repeat_interleave(g.ImagesPerPrompt, dim: 0);
        var noise = Pipeline.InitialLatents(null, init.shape, generator);
        var latentTimestep = full(new[] { batch }, timesteps[0], ScalarType.Float64).to(scheduler.Timesteps.dtype).to(Pipeline.Device);
        var latents = Pipeline.Denoise(scheduler.AddNoise(init, noise, latentTimestep), timesteps, context, g, scheduler, generator);
        var output = g.Decode ? StableDiffusionPipeline.ToImages(Pipeline.DecodeLatents(latents)) : Array.Empty<RgbImage>();
        return new GenerationResult(output, scope.MoveToOuter(latents), seed);
    }

    /// <summary>diffusers' <c>get_timesteps</c>: init = min(int(steps · strength), steps), start = steps − init, and the
    /// scheduler's timesteps from index start · order on (order 2 for Heun).</summary>
    public static double[] Timesteps(IScheduler scheduler, int steps, double strength)
    {
        int init = Math.Min((int)(steps * strength), steps);
        int start = Math.Max(steps - init, 0);
        using var all = scheduler.Timesteps.cpu().to(ScalarType.Float64);
        return all.data<double>().ToArray().Skip(start * scheduler.Order).ToArray();
    }

    /// <summary>Latents of images in [-1, 1]: VAE posterior sample × scaling factor, or the images themselves (pixel space).</summary>
    public Tensor EncodeImages(Tensor images, Generator generator)
    {
        using var scope = NewDisposeScope();
        if (Pipeline.Vae is null) return scope.MoveToOuter(images.alias());
        using var posterior = Pipeline.Vae.Encode(images);
        return scope.MoveToOuter(posterior.Sample(generator) * Pipeline.Vae.Config.ScalingFactor);
    }
}
