using Penumbra.Imaging;

namespace Penumbra.Uncertainty;

/// <summary>One prompt's EMoE score with its baselines, its ranked word attributions (when asked) and the normal MoE image
/// generated from the same initial latent (when asked).</summary>
public sealed record EmoeAnalysis(EmoeResult Result, EmoeBaselines Baselines, IReadOnlyList<WordAttribution>? Attribution, RgbImage? Image)
    : IDisposable
{
    public void Dispose() => Result.Dispose();
}
