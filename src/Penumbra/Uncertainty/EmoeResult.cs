using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>EMoE score of one prompt: epistemic uncertainty (mean per-dimension variance across the M paths),
/// the variance map averaged over channels [h,w], the M path latents [M,C,h,w] and the router-entropy baseline.</summary>
public sealed record EmoeResult(string Prompt, long Seed, EmoeMode Mode, double Timestep, double Eu, Tensor Map, Tensor MPost,
    double RouterEntropy, int TokenLength) : IDisposable
{
    public void Dispose()
    {
        Map.Dispose();
        MPost.Dispose();
    }
}
