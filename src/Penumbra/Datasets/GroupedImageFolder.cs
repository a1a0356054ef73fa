using TorchSharp;

namespace Penumbra.Datasets;

/// <summary>A file-backed grouped image set: entries (one split of Waterbirds or CelebA) decoded batch by batch.</summary>
public sealed class GroupedImageFolder : IGroupedImageSet
{
    private readonly IReadOnlyList<GroupedImageEntry> _entries;
    private readonly ImageTransform _transform;

    public GroupedImageFolder(IReadOnlyList<GroupedImageEntry> entries, IReadOnlyList<string> classNames,
        IReadOnlyList<string> attributeNames, ImageTransform? transform = null)
    {
        _entries = entries;
        _transform = transform ?? ImageTransform.ImageNet;
        ClassNames = classNames;
        AttributeNames = attributeNames;
        Labels = entries.Select(e => e.Label).ToArray();
        Attributes = entries.Select(e => e.Attribute).ToArray();
    }

    public int Count => _entries.Count;
    public int NumClasses => ClassNames.Count;
    public int NumAttributes => AttributeNames.Count;
    public IReadOnlyList<int> Labels { get; }
    public IReadOnlyList<int> Attributes { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<string> AttributeNames { get; }
    public IReadOnlyList<GroupedImageEntry> Entries => _entries;

    public torch.Tensor LoadImages(IReadOnlyList<int> indices)
    {
        using var scope = torch.NewDisposeScope();
        var images = indices.Select(i => _transform.Load(_entries[i].Path)).ToArray();
        return scope.MoveToOuter(torch.stack(images));
    }

    /// <summary>The entries of one split.</summary>
    public GroupedImageFolder Split(DatasetSplit split) =>
        new(_entries.Where(e => e.Split == split).ToList(), ClassNames, AttributeNames, _transform);
}
