using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// The arguments of one text-to-image call, with diffusers' defaults (50 steps, guidance 7.5, size = the UNet's
/// <c>sample_size</c> × the VAE scale factor). Guidance ≤ 1 disables classifier-free guidance.
/// </summary>
public sealed record GenerationOptions
{
    public required IReadOnlyList<string> Prompts { get; init; }

    /// <summary>One negative prompt for all prompts, one per prompt, or none (the empty prompt).</summary>
    public IReadOnlyList<string>? NegativePrompts { get; init; }

    public int Steps { get; init; } = 50;
    public double GuidanceScale { get; init; } = 7.5;
    public int? Height { get; init; }
    public int? Width { get; init; }

    /// <summary>Seed of the CPU generator that draws the initial latents (and the noise of stochastic schedulers),
    /// as diffusers' <c>generator=torch.Generator().manual_seed(seed)</c>. Null: a random seed, reported in the result.</summary>
    public long? Seed { get; init; }

    /// <summary>Explicit initial noise [prompts × images, C, H/f, W/f] (multiplied by the scheduler's init sigma, as in diffusers).</summary>
    public Tensor? Latents { get; init; }

    public int ImagesPerPrompt { get; init; } = 1;

    /// <summary>Number of final CLIP layers to skip (diffusers' <c>clip_skip</c>): 1 uses the penultimate layer's states.</summary>
    public int? ClipSkip { get; init; }

    /// <summary>Called after every denoising step; may read the latents. Cancellation: the token.</summary>
    public Action<StepInfo>? OnStep { get; init; }

    public CancellationToken CancellationToken { get; init; }

    /// <summary>Decode to images (false: return latents only).</summary>
    public bool Decode { get; init; } = true;
}
