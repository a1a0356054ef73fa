using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>EMoE score of one prompt: epistemic uncertainty (mean per-dimension variance across the M paths), the variance
/// map averaged over channels [h,w], the M path latents [M,C,h,w] (<see cref="Latent"/>: m_post by default), the timestep
/// the score was taken at and the router-entropy baseline.</summary>
public sealed record EmoeResult(string Prompt, long Seed, EmoeMode Mode, double Timestep, double Eu, Tensor Map, Tensor PathLatents,
    double RouterEntropy, int TokenLength, EmoeLatent Latent = EmoeLatent.MPost) : IDisposable
{
    /// <summary>The variance map upsampled bilinearly to <paramref name="height"/>×<paramref name="width"/> (e.g. image size).</summary>
    public Tensor MapAt(int height, int width) => EmoeHeatMap.Upsample(Map, height, width);

    public void Dispose()
    {
        Map.Dispose();
        PathLatents.Dispose();
    }
}
