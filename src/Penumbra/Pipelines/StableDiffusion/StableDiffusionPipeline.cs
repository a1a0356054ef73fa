using Penumbra.Configs;
using Penumbra.Imaging;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using Penumbra.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// Text-to-image with Stable Diffusion 1.x / 2.x (and SegMoE UNets), following diffusers 0.25's
/// <c>StableDiffusionPipeline.__call__</c>: encode prompt and negative prompt, draw the initial latents from a CPU
/// generator, denoise with classifier-free guidance batched as [uncond, cond], decode with the VAE.
/// A folder without a VAE (model_index.json says <c>"vae": [null, null]</c>, or no vae/ folder) is a pixel-space model:
/// the UNet denoises the image itself in [-1, 1] (the toy world's models).
/// </summary>
public sealed class StableDiffusionPipeline : IDisposable
{
    public StableDiffusionPipeline(ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet,
        AutoencoderKL? vae, SchedulerConfig schedulerConfig, Device device, ScalarType dtype, string modelName)
    {
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Unet = unet;
        Vae = vae;
        SchedulerConfig = schedulerConfig;
        Device = device;
        DType = dtype;
        ModelName = modelName;
    }

    public ClipTokenizer Tokenizer { get; }
    public ClipTextModel TextEncoder { get; }
    public UNet2DConditionModel Unet { get; }
    /// <summary>Null for a pixel-space model.</summary>
    public AutoencoderKL? Vae { get; }
    public SchedulerConfig SchedulerConfig { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    public string ModelName { get; }

    /// <summary>Scheduler used when a call names none (null: the folder's own class).</summary>
    public string? DefaultScheduler { get; set; }

    /// <summary>Applied to every denoising step of every call (e.g. the mid-block bypass).</summary>
    public IDenoisingModifier? Modifier { get; set; }

    public int VaeScaleFactor => Vae is null ? 1 : 1 << (Vae.Config.BlockOutChannels.Length - 1);
    public int DefaultHeight => (Unet.Config.SampleSize ?? 64) * VaeScaleFactor;
    public int DefaultWidth => (Unet.Config.SampleSize ?? 64) * VaeScaleFactor;

    /// <summary>Loads a diffusers pipeline folder (model_index.json, tokenizer/, text_encoder/, unet/, vae/, scheduler/).
    /// <paramref name="loadUnet"/> (given the unet/ folder) replaces the plain UNet loader, e.g. for SegMoE UNets.</summary>
    public static StableDiffusionPipeline FromPretrained(string folder, Device? device = null, ScalarType? dtype = null,
        Func<string, UNet2DConditionModel>? loadUnet = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        var dev = device ?? CPU;
        var dt = dtype ?? ScalarType.Float32;
        string Sub(string name) => Path.Combine(folder, name);
        var schedulerConfig = SchedulerConfig.Load(Path.Combine(Sub("scheduler"), SchedulerConfig.FileName));
        var tokenizer = ClipTokenizer.FromPretrained(Sub("tokenizer"));
        var textEncoder = ClipTextModel.FromPretrained(Sub("text_encoder"), dev, dt);
        textEncoder.eval();
        var unet = loadUnet is null ? UNet2DConditionModel.FromPretrained(Sub("unet"), dev, dt) : loadUnet(Sub("unet"));
        var vae = Directory.Exists(Sub("vae")) ? AutoencoderKL.FromPretrained(Sub("vae"), dev, dt) : null;
        return new StableDiffusionPipeline(tokenizer, textEncoder, unet, vae, schedulerConfig, dev, dt,
            Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)));
    }

    /// <summary>A fresh scheduler of the folder's class, or of <paramref name="name"/> (ddim, euler_a, dpmpp_2m, ...)
    /// built from the folder's config as diffusers' <c>from_config</c> does.</summary>
    public IScheduler CreateScheduler(string? name = null) =>
        (name ?? DefaultScheduler) is { } n ? SchedulerFactory.Create(n, SchedulerConfig) : SchedulerFactory.Create(SchedulerConfig);

    /// <summary>diffusers' <c>encode_prompt</c>: max-length padding and truncation, last hidden state (or, with
    /// <paramref name="clipSkip"/>, an earlier layer passed through the final layer norm), repeated per image.</summary>
    public PromptEmbeddings EncodePrompt(IReadOnlyList<string> prompts, IReadOnlyList<string>? negativePrompts,
        int imagesPerPrompt = 1, bool guidance = true, int? clipSkip = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        if (negativePrompts is { Count: > 1 } && negativePrompts.Count != prompts.Count)
            throw new ArgumentException($"{negativePrompts.Count} negative prompts for {prompts.Count} prompts: give one or one per prompt", nameof(negativePrompts));
        using var scope = NewDisposeScope();
        var tokens = prompts.Select(p => Tokenizer.EncodeForModel(p)).ToList();
        var cond = Repeat(EncodeIds(tokens.Select(t => t.Ids).ToList(), clipSkip), imagesPerPrompt);
        Tensor? uncond = null;
        if (guidance)
        {
            var negatives = Enumerable.Range(0, prompts.Count)
                .Select(i => negativePrompts is null || negativePrompts.Count == 0 ? "" : negativePrompts[negativePrompts.Count == 1 ? 0 : i]);
            uncond = Repeat(EncodeIds(negatives.Select(n => Tokenizer.EncodeForModel(n).Ids).ToList(), clipSkip), imagesPerPrompt);
        }
        return new PromptEmbeddings(cond.MoveToOuterDisposeScope(), uncond?.MoveToOuterDisposeScope(),
            tokens.Select(t => t.Length).ToArray(), tokens.Select(t => t.DroppedTokens).ToArray());
    }

    private Tensor EncodeIds(IReadOnlyList<long[]> ids, int? clipSkip)
    {
        using var noGrad = no_grad();
        var input = tensor(ids.SelectMany(x => x).ToArray(), new long[] { ids.Count, ids[0].Length }, ScalarType.Int64, Device);
        using var output = TextEncoder.Forward(input);
        // diffusers encode_prompt: clip_skip takes hidden_states[-(clip_skip + 1)] through the final layer norm.
        var states = clipSkip is int skip and > 0
            ? TextEncoder.FinalLayerNorm(output.HiddenStates[output.HiddenStates.Count - 1 - skip])
            : output.LastHiddenState.alias();
        return states.to(DType);
    }

    private static Tensor Repeat(Tensor embeds, int n) =>
        n == 1 ? embeds : embeds.repeat_interleave(n, dim: 0);

    /// <summary>Runs the whole text-to-image call with the folder's scheduler or the one named.</summary>
    public GenerationResult Generate(GenerationOptions o, string? scheduler = null)
    {
        using var instance = CreateScheduler(scheduler);
        return Generate(o, instance);
    }

    /// <summary>Runs the whole text-to-image call with a given (fresh) scheduler instance.</summary>
    public GenerationResult Generate(GenerationOptions o, IScheduler schedulerInstance)
    {
        int height = o.Height ?? DefaultHeight, width = o.Width ?? DefaultWidth;
        if (height <= 0 || width <= 0 || height % 8 != 0 || width % 8 != 0)
            throw new ArgumentException($"image size {width}x{height} must be positive multiples of 8");
        if (o.Steps < 1) throw new ArgumentException($"steps must be at least 1, got {o.Steps}");
        if (o.ImagesPerPrompt < 1) throw new ArgumentException($"images per prompt must be at least 1, got {o.ImagesPerPrompt}");
        bool guidance = o.GuidanceScale > 1.0;
        long seed = o.Seed ?? Random.Shared.NextInt64(0, uint.MaxValue);
        using var generator = new Generator((ulong)seed);

        using var inference = inference_mode();
        using var scope = NewDisposeScope();
        using var embeds = EncodePrompt(o.Prompts, o.NegativePrompts, o.ImagesPerPrompt, guidance, o.ClipSkip);
        using var context = embeds.ForGuidance();
        schedulerInstance.SetTimesteps(o.Steps, Device);

        long batch = o.Prompts.Count * o.ImagesPerPrompt;
        var latentShape = new[] { batch, Unet.Config.InChannels, height / VaeScaleFactor, width / VaeScaleFactor };
        var latents = InitialLatents(o.Latents, latentShape, generator) * schedulerInstance.InitNoiseSigma;
        var timesteps = schedulerInstance.Timesteps.cpu().to(ScalarType.Float64).data<double>().ToArray();
        latents = Denoise(latents, timesteps, context, o, schedulerInstance, generator);
        var images = o.Decode ? ToImages(DecodeLatents(latents)) : Array.Empty<RgbImage>();
        return new GenerationResult(images, scope.MoveToOuter(latents), seed);
    }

    /// <summary>The denoising loop over <paramref name="timesteps"/> (all of the scheduler's for text-to-image, the tail
    /// for image-to-image): per step the guided noise prediction (with <see cref="Modifier"/>, step index counted within
    /// this list), the scheduler step, the callback. Takes ownership of <paramref name="latents"/> and returns the result.</summary>
    public Tensor Denoise(Tensor latents, IReadOnlyList<double> timesteps, Tensor context, GenerationOptions o, IScheduler scheduler,
        Generator generator)
    {
        bool guidance = o.GuidanceScale > 1.0;
        for (int i = 0; i < timesteps.Count; i++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var noise = PredictNoise(latents, timesteps[i], context, o.GuidanceScale, guidance, scheduler, i, timesteps.Count);
            var next = scheduler.Step(noise, timesteps[i], latents, generator).PrevSample;
            latents.Dispose();
            latents = next.MoveToOuterDisposeScope();
            o.OnStep?.Invoke(new StepInfo(i, timesteps.Count, timesteps[i], latents));
        }
        return latents;
    }

    /// <summary>One guided noise prediction: [uncond, cond] batched through the UNet, then uncond + w·(cond − uncond).</summary>
    public Tensor PredictNoise(Tensor latents, double t, Tensor context, double guidanceScale, bool guidance,
        IScheduler scheduler, int step, int totalSteps)
    {
        using var scope = NewDisposeScope();
        var input = guidance ? cat(new[] { latents, latents }, 0) : latents;
        input = scheduler.ScaleModelInput(input, t);
        Tensor eps;
        using (Modifier?.BeginStep(Unet, step, totalSteps))
            eps = Unet.Forward(input, t, context);
        if (guidance) eps = Guide(eps, guidanceScale);
        return scope.MoveToOuter(eps);
    }

    /// <summary>Classifier-free guidance of a [uncond rows, cond rows] prediction: uncond + w·(cond − uncond).</summary>
    public static Tensor Guide(Tensor eps, double guidanceScale)
    {
        var halves = eps.chunk(2, 0);
        return halves[0] + guidanceScale * (halves[1] - halves[0]);
    }

    /// <summary>Initial noise exactly as diffusers' <c>randn_tensor</c> with a CPU generator: one draw of the whole batch, then moved.</summary>
    public Tensor InitialLatents(Tensor? given, long[] shape, Generator generator)
    {
        if (given is not null)
        {
            if (!given.shape.SequenceEqual(shape))
                throw new ArgumentException($"latents must have shape [{string.Join(",", shape)}], got [{string.Join(",", given.shape)}]");
            return given.to(DType).to(Device);
        }
        using var cpuNoise = randn(shape, ScalarType.Float32, CPU, generator: generator);
        return cpuNoise.to(DType).to(Device);
    }

    /// <summary>VAE decode of latents / scaling_factor, mapped to [0, 1] as diffusers' image processor does.</summary>
    public Tensor DecodeLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var decoded = Vae is null ? latents : Vae.Decode(latents / Vae.Config.ScalingFactor);
        return scope.MoveToOuter((decoded / 2 + 0.5).clamp(0, 1));
    }

    public static RgbImage[] ToImages(Tensor images01)
    {
        using var scope = NewDisposeScope();
        return Enumerable.Range(0, (int)images01.shape[0]).Select(i => RgbImage.FromTensor01(images01[i])).ToArray();
    }

    public void Dispose()
    {
        TextEncoder.Dispose();
        Unet.Dispose();
        Vae?.Dispose();
    }
}
