using System.Text.Json;
using Penumbra.Checkpoints;
using Penumbra.Cli.Commands;
using Penumbra.Imaging;
using Penumbra.IO;
using Penumbra.Tests.Checkpoints;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Cli;

/// <summary><c>penumbra convert</c> both ways, <c>info</c> and <c>generate --model</c> on single files (in-process; the
/// "Console" collection runs alone, which the meta-device loader needs).</summary>
[Collection("Console")]
public class SingleFileCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-single-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string TinySd => Fixtures.Path("single-file", "tiny-sd.safetensors");

    [Fact]
    public void ConvertToAFolderAndBackIsBitIdentical()
    {
        string folder = Path.Combine(_dir, "converted"), back = Path.Combine(_dir, "back.safetensors");
        var (code, _, err) = CliHarness.Run(ConvertCommand.Create(), "convert", TinySd, folder);
        Assert.True(code == 0, err);
        foreach (var (component, expectedFolder) in new[] { ("unet", "tiny-sd/unet"), ("vae", "tiny-sd/vae"), ("text_encoder", "tiny-sd/text_encoder") })
        {
            using var expected = DiffusersWeights.Open(Fixtures.Path(expectedFolder));
            using var written = DiffusersWeights.Open(Path.Combine(folder, component));
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), written.Keys.Order(StringComparer.Ordinal));
            foreach (var k in expected.Keys)
            {
                using var a = expected.Load(k);
                using var b = written.Load(k);
                Assert.True(SingleFileKeyMapTests.BitIdentical(a, b), $"{component}: {k}");
            }
        }
        Assert.True(File.Exists(Path.Combine(folder, "model_index.json")));
        Assert.Equal("PNDMScheduler", Penumbra.Schedulers.SchedulerConfig.Load(Path.Combine(folder, "scheduler", "scheduler_config.json")).ClassName);

        (code, _, err) = CliHarness.Run(ConvertCommand.Create(), "convert", folder, back);
        Assert.True(code == 0, err);
        using var original = SafetensorsTensorSource.Open(TinySd);
        using var roundTrip = SafetensorsTensorSource.Open(back);
        Assert.Equal(original.Keys.Order(StringComparer.Ordinal), roundTrip.Keys.Order(StringComparer.Ordinal));
        foreach (var k in original.Keys)
        {
            using var a = original.Load(k);
            using var b = roundTrip.Load(k);
            Assert.True(SingleFileKeyMapTests.BitIdentical(a, b), k);
        }
    }

    [Fact]
    public void InfoDescribesTheSingleFile()
    {
        var (code, stdout, err) = CliHarness.Run(InfoCommand.Create(), "info", "--json", Fixtures.Path("single-file", "tiny-sd2.safetensors"));
        Assert.True(code == 0, err);
        var s = JsonDocument.Parse(stdout).RootElement.GetProperty("single_file");
        Assert.Equal("sd2", s.GetProperty("family").GetString());
        Assert.Equal("v_prediction", s.GetProperty("prediction_type").GetString());
        var tensors = s.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("tensors").GetInt32());
        foreach (var (name, folder) in new[] { ("unet", "tiny-sd2/unet"), ("vae", "tiny-sd/vae"), ("text_encoder", "single-file/tiny-sd2/text_encoder") })
        {
            using var expected = DiffusersWeights.Open(Fixtures.Path(folder));
            Assert.Equal(expected.Keys.Count(), tensors[name]);
        }
        Assert.Equal(14, s.GetProperty("ignored_keys").GetInt32()); // the fixture's keys without a diffusers counterpart
    }

    [Fact]
    public void GenerateFromTheSingleFileEqualsGenerateFromTheFolder()
    {
        string fromFolder = Path.Combine(_dir, "folder.png"), fromFile = Path.Combine(_dir, "file.png");
        string[] common = { "--prompt", "a red circle", "--steps", "2", "--seed", "3" };
        var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), new[] { "generate", "--model", Fixtures.Path("tiny-sd"), "--out", fromFolder }.Concat(common).ToArray());
        Assert.True(code == 0, err);
        (code, _, err) = CliHarness.Run(GenerateCommand.Create(), new[] { "generate", "--model", TinySd, "--config-folder", Fixtures.Path("tiny-sd"),
            "--tokenizer", Fixtures.Path("tiny-sd", "tokenizer"), "--out", fromFile }.Concat(common).ToArray());
        Assert.True(code == 0, err);
        var a = PngCodec.Read(fromFolder);
        var b = PngCodec.Read(fromFile);
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        Assert.Equal(a.Rgb, b.Rgb);
    }

    [Fact]
    public void AnFp16FileOnTheCpuComputesInFloat32WithANote()
    {
        string half = Path.Combine(_dir, "half.safetensors");
        using (var src = SafetensorsTensorSource.Open(TinySd))
        {
            var h = src.Keys.ToDictionary(k => k, k => src.Load(k, ScalarType.Float16));
            SafetensorsWriter.Save(half, h);
            foreach (var t in h.Values) t.Dispose();
        }
        var (code, _, err) = CliHarness.Run(GenerateCommand.Create(), "generate", "--model", half, "--config-folder", Fixtures.Path("tiny-sd"),
            "--prompt", "a red circle", "--steps", "2", "--seed", "3", "--out", Path.Combine(_dir, "half.png"));
        Assert.True(code == 0, err);
        Assert.Contains("stored in float16; computing in float32", err);
    }

    [Fact]
    public void AnUnsupportedFileIsOneErrorLine()
    {
        string inpaint = Path.Combine(_dir, "inpaint.safetensors");
        SafetensorsWriter.Save(inpaint, new Dictionary<string, Tensor> { [LdmPrefixes.UNet + "input_blocks.0.0.weight"] = zeros(8, 9, 3, 3) });
        var (code, _, err) = CliHarness.Run(ConvertCommand.Create(), "convert", inpaint, Path.Combine(_dir, "never"));
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("inpainting", err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }
}
