using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>Text conditioning of a batch, prompt-major and already repeated per image: <see cref="Conditional"/>
/// [B·n, T, D] and, with guidance, <see cref="Unconditional"/> of the same shape. Token counts per prompt (before
/// padding) and the number of tokens lost to truncation are kept for reports.</summary>
public sealed record PromptEmbeddings(Tensor Conditional, Tensor? Unconditional, int[] TokenCounts, int[] DroppedTokens) : IDisposable
{
    /// <summary>[uncond; cond] along the batch, as diffusers concatenates for classifier-free guidance.</summary>
    public Tensor ForGuidance() => Unconditional is null ? Conditional : cat(new[] { Unconditional, Conditional }, 0);

    public void Dispose()
    {
        Conditional.Dispose();
        Unconditional?.Dispose();
    }
}
