namespace Penumbra.Datasets;

/// <summary>One image file of a group-annotated dataset with its class label, attribute and split.</summary>
public sealed record GroupedImageEntry(string Path, int Label, int Attribute, DatasetSplit Split);
