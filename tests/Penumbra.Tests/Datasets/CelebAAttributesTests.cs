using Penumbra.Datasets;
using Penumbra.Imaging;

namespace Penumbra.Tests.Datasets;

public class CelebAAttributesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("celeba").FullName;

    public CelebAAttributesTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, CelebAAttributes.ImageFolderName));
        foreach (var name in new[] { "000001.jpg", "000002.jpg", "000003.jpg" })
            PngCodec.Write(Path.Combine(_root, CelebAAttributes.ImageFolderName, name), 3, 3, new byte[27]);
    }

    public void Dispose() => Directory.Delete(_root, true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_root, name), text);

    [Fact]
    public void ReadsOriginalListsWithTargetAndSpuriousByName()
    {
        Write("list_attr_celeba.txt", "3\nBlond_Hair Male Smiling \n000001.jpg  1 -1  1\n000002.jpg -1  1  1\n000003.jpg  1  1 -1\n");
        Write("list_eval_partition.txt", "000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n");
        var set = CelebAAttributes.Read(_root, "Blond_Hair", "Male");
        Assert.Equal(new[] { 1, 0, 1 }, set.Labels);
        Assert.Equal(new[] { 0, 1, 1 }, set.Attributes);
        Assert.Equal(new[] { "not Blond_Hair", "Blond_Hair" }, set.ClassNames);
        Assert.Equal("Male", set.AttributeNames[1]);
        Assert.Equal(DatasetSplit.Test, set.Entries[2].Split);
        var bySmile = CelebAAttributes.Read(_root, "Smiling", "Blond_Hair");
        Assert.Equal(new[] { 1, 1, 0 }, bySmile.Labels);
    }

    [Fact]
    public void ReadsCommaSeparatedLists()
    {
        Write("list_attr_celeba.csv", "image_id,Blond_Hair,Male\n000001.jpg,-1,-1\n000002.jpg,1,1\n000003.jpg,1,-1\n");
        Write("list_eval_partition.csv", "image_id,partition\n000001.jpg,0\n000002.jpg,0\n000003.jpg,1\n");
        var set = CelebAAttributes.Read(_root, "Blond_Hair", "Male");
        Assert.Equal(new[] { 0, 1, 1 }, set.Labels);
        Assert.Equal(new[] { 0, 1, 0 }, set.Attributes);
        Assert.Equal(2, set.Split(DatasetSplit.Train).Count);
    }

    [Fact]
    public void MalformedListsAreReportedWithLineAndColumn()
    {
        Write("list_eval_partition.txt", "000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n");
        Write("list_attr_celeba.txt", "3\nBlond_Hair Male\n000001.jpg 1 -1\n000002.jpg -1 0\n000003.jpg 1 1\n");
        var e = Assert.Throws<InvalidDataException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Male"));
        Assert.Contains("list_attr_celeba.txt:4: column 'Male': '0'", e.Message);

        e = Assert.Throws<InvalidDataException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Eyeglasses"));
        Assert.Contains("no column 'Eyeglasses'", e.Message);

        Write("list_attr_celeba.txt", "4\nBlond_Hair Male\n000001.jpg 1 -1\n000002.jpg -1 1\n000003.jpg 1 1\n");
        e = Assert.Throws<InvalidDataException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Male"));
        Assert.Contains("list_attr_celeba.txt:1: says 4 images", e.Message);

        Write("list_attr_celeba.txt", "3\nBlond_Hair Male\n000001.jpg 1 -1\n000002.jpg -1\n000003.jpg 1 1\n");
        e = Assert.Throws<InvalidDataException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Male"));
        Assert.Contains("list_attr_celeba.txt:4: 2 fields, expected 3", e.Message);

        Write("list_attr_celeba.txt", "3\nBlond_Hair Male\n000001.jpg 1 -1\n000002.jpg -1 1\n000003.jpg 1 1\n");
        Write("list_eval_partition.txt", "000001.jpg 0\n000002.jpg 3\n000003.jpg 2\n");
        e = Assert.Throws<InvalidDataException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Male"));
        Assert.Contains("list_eval_partition.txt:2: column 'partition': '3'", e.Message);

        File.Delete(Path.Combine(_root, "list_eval_partition.txt"));
        var f = Assert.Throws<FileNotFoundException>(() => CelebAAttributes.Read(_root, "Blond_Hair", "Male"));
        Assert.Contains("list_eval_partition", f.Message);
    }
}
