using Penumbra.Cli.Commands;
using Penumbra.Imaging;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Cli;

[Collection("Console")]
public class GenerateCommandTests
{
    [Fact]
    public void WritesPngsWithA1111Parameters()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-gen-").FullName;
        try
        {
            var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), "generate", "--model", Fixtures.Path("tiny-sd"),
                "--prompt", "a red circle", "--negative", "blurry", "--steps", "2", "--seed", "7", "--count", "2",
                "--scheduler", "ddim", "--out", dir);
            Assert.True(code == 0, err);
            var files = Directory.GetFiles(dir, "*.png").Order().ToArray();
            Assert.Equal(2, files.Length);
            var (w, h, _, text) = PngCodec.Read(files[0]);
            Assert.Equal((32, 32), (w, h)); // tiny-sd: sample_size 16 x VAE factor 2
            var p = text["parameters"].Split('\n');
            Assert.Equal("a red circle", p[0]);
            Assert.Equal("Negative prompt: blurry", p[1]);
            Assert.Contains("Steps: 2", p[2]);
            Assert.Contains("Seed: 7", p[2]);
            Assert.Contains("Sampler: DDIMScheduler", p[2]);
            Assert.Contains("Size: 32x32", p[2]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--size", "30x30", "--size '30x30'")]
    [InlineData("--scheduler", "nope", "unknown scheduler 'nope'")]
    [InlineData("--steps", "0", "--steps 0")]
    [InlineData("--model", "/no/such/model", "/no/such/model")]
    public void BadArgumentsGiveOneErrorAndExitCode1(string option, string value, string expected)
    {
        var args = new List<string> { "generate", "--prompt", "x", "--out", Path.Combine(Path.GetTempPath(), "never-written.png") };
        if (option != "--model") args.AddRange(new[] { "--model", Fixtures.Path("tiny-sd") });
        args.AddRange(new[] { option, value });
        var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), args.ToArray());
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:"));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never-written.png")));
    }
}

[Collection("Console")]
public class GenerateBundledModelTests
{
    [Fact]
    public void WithoutModelUsesTheBundledToyMixture()
    {
        Assert.NotNull(Penumbra.Cli.ModelLocator.FindBundled());
        var file = Path.Combine(Path.GetTempPath(), $"penumbra-bundled-{Guid.NewGuid():N}.png");
        try
        {
            var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), "generate", "--prompt", "a big red circle on the left",
                "--steps", "3", "--seed", "1", "--out", file);
            Assert.True(code == 0, err);
            var (w, h, _, text) = PngCodec.Read(file);
            Assert.Equal((Penumbra.Toy.Models.ToyWorld.ImageSize, Penumbra.Toy.Models.ToyWorld.ImageSize), (w, h));
            Assert.Contains("Model: toy-segmoe", text["parameters"]);
        }
        finally { File.Delete(file); }
    }
}
