using static TorchSharp.torch;

namespace Penumbra.Training;

/// <summary>Clean samples x0 [B,C,H,W] (in the model's space: pixels in [-1,1] or VAE latents) with their captions.</summary>
public sealed record TrainingBatch(Tensor Samples, IReadOnlyList<string> Captions) : IDisposable
{
    public void Dispose() => Samples.Dispose();
}
