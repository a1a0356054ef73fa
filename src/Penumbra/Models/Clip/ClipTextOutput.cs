using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>
/// Output of the CLIP text tower. <see cref="HiddenStates"/> is transformers' <c>hidden_states</c>: the embeddings,
/// then each layer's output (the last one before <c>final_layer_norm</c>); <c>HiddenStates[^(1 + clipSkip)]</c> is what
/// "clip skip" feeds to the UNet (after <c>final_layer_norm</c>, as diffusers does). <see cref="TextEmbeds"/> is set
/// by the projection variant. The caller owns the tensors.
/// </summary>
public sealed record ClipTextOutput(Tensor LastHiddenState, Tensor PooledOutput, IReadOnlyList<Tensor> HiddenStates, Tensor? TextEmbeds = null)
    : IDisposable
{
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
        foreach (var h in HiddenStates) h.Dispose();
        TextEmbeds?.Dispose();
    }
}
