using Penumbra.Imaging;

namespace Penumbra.Toy;

/// <summary>One sampled training example: the scene, its caption and the attributes the caption states.</summary>
public sealed record ToySample(ToyScene Scene, string Caption, ToyPrompt Stated, ToyLanguage Language, ToyPhrasing Phrasing)
{
    public RgbImage Render(int size = ToyRenderer.DefaultSize) => ToyRenderer.Render(Scene, size);
}
