using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>Output of the CLIP vision tower: <see cref="LastHiddenState"/> (encoder output, no final norm),
/// <see cref="PooledOutput"/> (<c>post_layernorm</c> of the class token), every hidden state, and
/// <see cref="ImageEmbeds"/> for the projection variant. The caller owns the tensors.</summary>
public sealed record ClipVisionOutput(Tensor LastHiddenState, Tensor PooledOutput, IReadOnlyList<Tensor> HiddenStates, Tensor? ImageEmbeds = null)
    : IDisposable
{
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
        foreach (var h in HiddenStates) h.Dispose();
        ImageEmbeds?.Dispose();
    }
}
