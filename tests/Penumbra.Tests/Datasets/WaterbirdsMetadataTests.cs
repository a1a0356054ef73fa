using Penumbra.Datasets;
using Penumbra.Imaging;

namespace Penumbra.Tests.Datasets;

public class WaterbirdsMetadataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("waterbirds").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private void Image(string name, byte r, byte g, byte b)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rgb = new byte[6 * 6 * 3];
        for (int i = 0; i < rgb.Length; i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = (r, g, b);
        PngCodec.Write(path, 6, 6, rgb);
    }

    private string Csv(string text)
    {
        string path = Path.Combine(_root, "metadata.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsGroupsSplitsAndNormalisedPixels()
    {
        Image("001.Albatross/a.png", 255, 0, 0);
        Image("002.Duck/b.png", 0, 255, 0);
        Image("002.Duck/c.png", 0, 0, 255);
        Csv("img_id,img_filename,y,split,place,place_filename\n" +
            "1,001.Albatross/a.png,0,0,1,/o/ocean/1.jpg\n" +
            "2,\"002.Duck/b.png\",1,1,0,/f/forest/2.jpg\n" +
            "3,002.Duck/c.png,1,2,1,/l/lake/3.jpg\n");
        var all = WaterbirdsMetadata.Read(_root, transform: new ImageTransform { Size = 4, ResizeTo = 4 });
        Assert.Equal(new[] { 0, 1, 1 }, all.Labels);
        Assert.Equal(new[] { 1, 0, 1 }, all.Attributes);
        Assert.Equal(new[] { DatasetSplit.Train, DatasetSplit.Val, DatasetSplit.Test }, all.Entries.Select(e => e.Split));
        var val = all.Split(DatasetSplit.Val);
        Assert.Equal(1, val.Count);
        Assert.Equal("waterbird", val.ClassNames[val.Labels[0]]);
        Assert.Equal("land", val.AttributeNames[val.Attributes[0]]);

        var x = all.LoadImages(new[] { 0 });
        Assert.Equal(new long[] { 1, 3, 4, 4 }, x.shape);
        // Solid red: channel 0 = (1 - 0.485) / 0.229, channel 1 = (0 - 0.456) / 0.224, channel 2 = (0 - 0.406) / 0.225.
        Assert.Equal((1 - 0.485) / 0.229, x[0, 0].mean().item<float>(), 4);
        Assert.Equal(-0.456 / 0.224, x[0, 1].mean().item<float>(), 4);
        Assert.Equal(-0.406 / 0.225, x[0, 2].mean().item<float>(), 4);
        Assert.Equal(0.0, x[0].std(new long[] { 1, 2 }).max().item<float>(), 5);
    }

    [Fact]
    public void MalformedValueIsReportedWithLineAndColumn()
    {
        Image("a.png", 1, 2, 3);
        string csv = Csv("img_filename,y,split,place\na.png,0,0,0\na.png,2,0,0\n");
        var e = Assert.Throws<InvalidDataException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains($"{csv}:3:", e.Message);
        Assert.Contains("column 'y'", e.Message);
        Assert.Contains("'2'", e.Message);

        Csv("img_filename,y,split,place\na.png,0,x,0\n");
        e = Assert.Throws<InvalidDataException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains(":2: column 'split'", e.Message);

        Csv("img_filename,y,split,place\na.png,0,0\n");
        e = Assert.Throws<InvalidDataException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains(":2: 3 fields, the header has 4", e.Message);
    }

    [Fact]
    public void MissingColumnFileOrImageIsNamed()
    {
        string csv = Csv("img_filename,y,split\na.png,0,0\n");
        var e = Assert.Throws<InvalidDataException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains(csv, e.Message);
        Assert.Contains("no column 'place'", e.Message);

        Csv("img_filename,y,split,place\nmissing.png,0,0,0\n");
        var f = Assert.Throws<FileNotFoundException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains(":2: column 'img_filename'", f.Message);
        Assert.Contains("missing.png", f.Message);

        File.Delete(csv);
        f = Assert.Throws<FileNotFoundException>(() => WaterbirdsMetadata.Read(_root));
        Assert.Contains("metadata.csv", f.Message);
    }
}
