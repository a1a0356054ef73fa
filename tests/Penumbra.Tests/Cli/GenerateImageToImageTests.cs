using Penumbra.Cli.Commands;
using Penumbra.Imaging;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Cli;

[Collection("Console")]
public class GenerateImageToImageTests
{
    [Fact]
    public void InitImageStrengthAndBypassAreRecordedInThePng()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-i2i-").FullName;
        try
        {
            var init = Path.Combine(dir, "in.png");
            var rgb = Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(i * 7 % 251)).ToArray();
            new RgbImage(32, 32, rgb).Save(init);
            var output = Path.Combine(dir, "out.png");
            var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), "generate", "--model", Fixtures.Path("tiny-sd"),
                "--prompt", "a red circle", "--steps", "4", "--seed", "3", "--scheduler", "ddim", "--init-image", init,
                "--strength", "0.5", "--midblock-bypass", "ramp:0.5->1@0-0.3", "--out", output);
            Assert.True(code == 0, err);
            var (w, h, _, text) = PngCodec.Read(output);
            Assert.Equal((32, 32), (w, h));
            var settings = text["parameters"].Split('\n')[^1];
            Assert.Contains("Denoising strength: 0.5", settings);
            Assert.Contains("Init image: in.png", settings);
            Assert.Contains("Midblock bypass: \"ramp:0.5->1@0-0.3\"", settings); // quoted: the value holds a colon
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--midblock-bypass", "window:0.7", "--midblock-bypass: mid-block bypass schedule 'window:0.7': a window needs '@F0-F1'")]
    [InlineData("--init-image", "/no/such.png", "--init-image /no/such.png: file not found")]
    [InlineData("--strength", "1.2", "--strength 1.2: must lie in [0, 1]")]
    public void BadArgumentsGiveOneError(string option, string value, string expected)
    {
        var args = new List<string> { "generate", "--model", Fixtures.Path("tiny-sd"), "--prompt", "x", "--out",
            Path.Combine(Path.GetTempPath(), "never-written-i2i.png"), option, value };
        if (option == "--strength") args.AddRange(new[] { "--init-image", Fixtures.Path("tiny-sd", "model_index.json") });
        var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), args.ToArray());
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:"));
    }
}
