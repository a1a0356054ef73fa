using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary><c>CLIPModel.forward</c>'s result: L2-normalised embeddings and the scaled similarities
/// (<c>logits_per_text = exp(logit_scale) · text_embeds · image_embedsᵀ</c>, <c>logits_per_image</c> its transpose),
/// plus both towers' outputs. The caller owns the tensors.</summary>
public sealed record ClipOutput(
    Tensor LogitsPerImage, Tensor LogitsPerText, Tensor TextEmbeds, Tensor ImageEmbeds, ClipTextOutput Text, ClipVisionOutput Vision)
    : IDisposable
{
    public void Dispose()
    {
        LogitsPerImage.Dispose();
        LogitsPerText.Dispose();
        TextEmbeds.Dispose();
        ImageEmbeds.Dispose();
        Text.Dispose();
        Vision.Dispose();
    }
}
