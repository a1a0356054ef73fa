namespace Penumbra.Datasets;

/// <summary>
/// CelebA with a target and a spurious attribute chosen by name (e.g. target <c>Blond_Hair</c>, spurious <c>Male</c>).
/// Reads the original lists (<c>list_attr_celeba.txt</c>: count line, attribute-name line, rows of file name and ±1;
/// <c>list_eval_partition.txt</c>: file name and 0/1/2) or their comma-separated versions with an <c>image_id</c>
/// column (<c>list_attr_celeba.csv</c>, <c>list_eval_partition.csv</c> with <c>partition</c>). Images live in
/// <c>img_align_celeba/</c>. Class 1 = has the target attribute, attribute 1 = has the spurious attribute.
/// </summary>
public static class CelebAAttributes
{
    public const string ImageFolderName = "img_align_celeba";

    public static GroupedImageFolder Read(string root, string target, string spurious, ImageTransform? transform = null,
        string? attributesPath = null, string? partitionPath = null, bool checkImages = true)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: CelebA folder not found");
        attributesPath ??= FindList(root, "list_attr_celeba");
        partitionPath ??= FindList(root, "list_eval_partition");
        var attrs = attributesPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? MetadataTable.ReadCsv(attributesPath)
            : MetadataTable.ReadWhitespace(attributesPath, null, 2, "image_id");
        var parts = partitionPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            ? MetadataTable.ReadCsv(partitionPath)
            : MetadataTable.ReadWhitespace(partitionPath, new[] { "image_id", "partition" }, 0, "image_id");

        int pId = parts.Column("image_id"), pSplit = parts.Column("partition");
        var split = new Dictionary<string, DatasetSplit>(StringComparer.Ordinal);
        for (int r = 0; r < parts.Rows.Count; r++)
            if (!split.TryAdd(parts.Text(r, pId), (DatasetSplit)parts.Int(r, pSplit, 0, 1, 2)))
                throw new InvalidDataException($"{parts.Path}:{parts.Line(r)}: image '{parts.Text(r, pId)}' is listed twice");

        int aId = attrs.Column("image_id"), t = attrs.Column(target), s = attrs.Column(spurious);
        string images = Path.Combine(root, ImageFolderName);
        var entries = new List<GroupedImageEntry>(attrs.Rows.Count);
        for (int r = 0; r < attrs.Rows.Count; r++)
        {
            string id = attrs.Text(r, aId);
            if (!split.TryGetValue(id, out var sp))
                throw new InvalidDataException($"{attrs.Path}:{attrs.Line(r)}: image '{id}' has no split in {parts.Path}");
            string path = Path.Combine(images, id);
            if (checkImages && !File.Exists(path)) throw new FileNotFoundException($"{attrs.Path}:{attrs.Line(r)}: image {path} not found");
            entries.Add(new GroupedImageEntry(path, attrs.Int(r, t, -1, 1) > 0 ? 1 : 0, attrs.Int(r, s, -1, 1) > 0 ? 1 : 0, sp));
        }
        return new GroupedImageFolder(entries, new[] { $"not {target}", target }, new[] { $"not {spurious}", spurious }, transform);
    }

    private static string FindList(string root, string name)
    {
        foreach (var ext in new[] { ".txt", ".csv" })
        {
            string p = Path.Combine(root, name + ext);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"{Path.Combine(root, name)}.txt (or .csv): CelebA list not found");
    }
}
