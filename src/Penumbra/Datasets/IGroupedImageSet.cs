using TorchSharp;

namespace Penumbra.Datasets;

/// <summary>
/// Images with a class label y and a (possibly spurious) attribute a; the group of a sample is
/// <c>y * NumAttributes + a</c>. Images are returned as normalised float32 tensors [n,3,H,W] in batches, so a
/// file-backed set never holds more than one batch.
/// </summary>
public interface IGroupedImageSet
{
    int Count { get; }
    int NumClasses { get; }
    int NumAttributes { get; }
    IReadOnlyList<int> Labels { get; }
    IReadOnlyList<int> Attributes { get; }
    IReadOnlyList<string> ClassNames { get; }
    IReadOnlyList<string> AttributeNames { get; }
    torch.Tensor LoadImages(IReadOnlyList<int> indices);
}
