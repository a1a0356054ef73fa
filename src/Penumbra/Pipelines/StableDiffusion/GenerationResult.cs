using Penumbra.Imaging;
using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>Images (prompt-major: all images of prompt 0, then prompt 1, ...), the final latents (caller disposes)
/// and the seed that was used.</summary>
public sealed record GenerationResult(IReadOnlyList<RgbImage> Images, Tensor Latents, long Seed) : IDisposable
{
    public void Dispose() => Latents.Dispose();
}
