using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Tests.IO;

public class FileLinksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-links").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Target()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "store", "unet"));
        string target = Path.Combine(_dir, "store", "unet", "diffusion_pytorch_model.safetensors");
        SafetensorsWriter.Save(target, new Dictionary<string, torch.Tensor> { ["w"] = torch.arange(6, dtype: torch.float32).reshape(2, 3) });
        return target;
    }

    [Fact]
    public void LinkTextFilesAreFollowedTransitively()
    {
        string target = Target();
        Directory.CreateDirectory(Path.Combine(_dir, "a", "unet"));
        string first = Path.Combine(_dir, "a", "unet", "diffusion_pytorch_model.safetensors");
        File.WriteAllText(first, "../../store/unet/diffusion_pytorch_model.safetensors\n");
        string second = Path.Combine(_dir, "b.safetensors");
        File.WriteAllText(second, "a/unet/diffusion_pytorch_model.safetensors");

        Assert.Equal(target, FileLinks.Resolve(first));
        Assert.Equal(target, FileLinks.Resolve(second));
        using var f = SafetensorsFile.Open(second);
        Assert.Equal(second, f.Path);
        Assert.Equal(new long[] { 2, 3 }, f.Info("w").Shape);
        Assert.Equal(5f, f.Load("w")[1, 2].item<float>());
    }

    [Fact]
    public void RealSymbolicLinksOpenAsTheirTarget()
    {
        string target = Target();
        string link = Path.Combine(_dir, "linked.safetensors");
        File.CreateSymbolicLink(link, Path.GetRelativePath(_dir, target));
        using var f = SafetensorsFile.Open(link);
        Assert.Equal(new long[] { 2, 3 }, f.Info("w").Shape);
    }

    [Theory]
    [InlineData("../nothing/here.safetensors")]
    [InlineData("/etc/hostname")]
    [InlineData("two\nlines")]
    [InlineData("{\"not\": \"a link\"}")]
    public void OtherSmallFilesAreNotLinks(string text)
    {
        string path = Path.Combine(_dir, "small.txt");
        File.WriteAllText(path, text);
        Assert.Equal(path, FileLinks.Resolve(path));
    }

    [Fact]
    public void LinkCycleIsAnError()
    {
        File.WriteAllText(Path.Combine(_dir, "x"), "y");
        File.WriteAllText(Path.Combine(_dir, "y"), "x");
        Assert.Contains("nested links", Assert.Throws<IOException>(() => FileLinks.Resolve(Path.Combine(_dir, "x"))).Message);
    }
}
