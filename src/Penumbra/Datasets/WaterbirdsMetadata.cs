namespace Penumbra.Datasets;

/// <summary>
/// The Waterbirds layout: an image folder with <c>metadata.csv</c> of columns <c>img_filename,y,split,place</c>
/// (y: 0 landbird / 1 waterbird; split: 0 train / 1 val / 2 test; place: 0 land / 1 water). Extra columns
/// (e.g. <c>img_id</c>, <c>place_filename</c>) are ignored. Every listed image must exist.
/// </summary>
public static class WaterbirdsMetadata
{
    public const string DefaultFileName = "metadata.csv";
    public static readonly string[] ClassNames = { "landbird", "waterbird" };
    public static readonly string[] AttributeNames = { "land", "water" };

    public static GroupedImageFolder Read(string root, string? metadataPath = null, ImageTransform? transform = null)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: Waterbirds folder not found");
        var table = MetadataTable.ReadCsv(metadataPath ?? Path.Combine(root, DefaultFileName));
        int file = table.Column("img_filename"), y = table.Column("y"), split = table.Column("split"), place = table.Column("place");
        var entries = new List<GroupedImageEntry>(table.Rows.Count);
        for (int r = 0; r < table.Rows.Count; r++)
        {
            string path = Path.Combine(root, table.Text(r, file));
            var entry = new GroupedImageEntry(path, table.Int(r, y, 0, 1), table.Int(r, place, 0, 1), (DatasetSplit)table.Int(r, split, 0, 1, 2));
            if (!File.Exists(path)) throw new FileNotFoundException($"{table.Path}:{table.Line(r)}: column 'img_filename': image {path} not found");
            entries.Add(entry);
        }
        return new GroupedImageFolder(entries, ClassNames, AttributeNames, transform);
    }
}
