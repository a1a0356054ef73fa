using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// One image-to-image (SDEdit) call: the text-to-image options (prompts, steps, guidance, seed, images per prompt, ...;
/// <c>Height</c>/<c>Width</c>/<c>Latents</c> must be unset: the size is the input image's), the input images [N,3,H,W] in
/// [-1, 1] (one for all prompts, or one per prompt) and the strength in [0, 1] (diffusers' default 0.8): the fraction of
/// the schedule that is re-run, so 1 starts from (almost) pure noise and small values stay close to the input.
/// </summary>
public sealed record ImageToImageOptions
{
    public required GenerationOptions Generation { get; init; }
    public required Tensor Images { get; init; }
    public double Strength { get; init; } = 0.8;
}
