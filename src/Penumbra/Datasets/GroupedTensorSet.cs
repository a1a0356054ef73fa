using TorchSharp;

namespace Penumbra.Datasets;

/// <summary>An in-memory grouped image set (a generated toy split, or a decoded subset of a folder).</summary>
public sealed class GroupedTensorSet : IGroupedImageSet
{
    private readonly torch.Tensor _images;

    public GroupedTensorSet(torch.Tensor images, IReadOnlyList<int> labels, IReadOnlyList<int> attributes,
        IReadOnlyList<string> classNames, IReadOnlyList<string> attributeNames)
    {
        if (images.dim() != 4 || images.shape[0] != labels.Count || labels.Count != attributes.Count)
            throw new ArgumentException($"images [{string.Join(",", images.shape)}], {labels.Count} labels and {attributes.Count} attributes do not describe the same samples");
        if (labels.Any(y => y < 0 || y >= classNames.Count)) throw new ArgumentException($"a label is outside 0..{classNames.Count - 1}");
        if (attributes.Any(a => a < 0 || a >= attributeNames.Count)) throw new ArgumentException($"an attribute is outside 0..{attributeNames.Count - 1}");
        _images = images.detach().to(torch.ScalarType.Float32);
        Labels = labels.ToArray();
        Attributes = attributes.ToArray();
        ClassNames = classNames.ToArray();
        AttributeNames = attributeNames.ToArray();
    }

    public int Count => Labels.Count;
    public int NumClasses => ClassNames.Count;
    public int NumAttributes => AttributeNames.Count;
    public IReadOnlyList<int> Labels { get; }
    public IReadOnlyList<int> Attributes { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<string> AttributeNames { get; }

    public torch.Tensor LoadImages(IReadOnlyList<int> indices) =>
        _images.index_select(0, torch.tensor(indices.Select(i => (long)i).ToArray()));

    public GroupedTensorSet Subset(IReadOnlyList<int> indices) =>
        new(LoadImages(indices), indices.Select(i => Labels[i]).ToArray(), indices.Select(i => Attributes[i]).ToArray(), ClassNames, AttributeNames);
}
