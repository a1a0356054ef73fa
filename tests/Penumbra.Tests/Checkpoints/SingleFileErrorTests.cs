using Penumbra.Checkpoints;
using Penumbra.IO;
using Penumbra.Tests.Support;
using static TorchSharp.torch;

namespace Penumbra.Tests.Checkpoints;

/// <summary>Files that are not SD 1.x / 2.x text-to-image single files are refused with one error that says what the file
/// is and what was expected; each case is a small hand-made safetensors file.</summary>
public class SingleFileErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-single-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, params (string Key, long[] Shape)[] tensors)
    {
        string path = Path.Combine(_dir, name);
        var dict = tensors.ToDictionary(t => t.Key, t => zeros(t.Shape));
        SafetensorsWriter.Save(path, dict);
        foreach (var t in dict.Values) t.Dispose();
        return path;
    }

    private static string Fail(string path) =>
        Assert.Throws<CheckpointFormatException>(() => SingleFileCheckpoint.Open(path).Dispose()).Message;

    [Fact]
    public void SdxlIsNotSupportedYet()
    {
        string m = Fail(Write("sdxl.safetensors", (LdmPrefixes.UNet + "input_blocks.0.0.weight", new long[] { 8, 4, 3, 3 }),
            ("conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias", new long[] { 4 })));
        Assert.Contains("SDXL", m);
        Assert.Contains("not supported yet", m);
    }

    [Fact]
    public void InpaintingIsNotSupportedYet()
    {
        string m = Fail(Write("inpaint.safetensors", (LdmPrefixes.UNet + "input_blocks.0.0.weight", new long[] { 8, 9, 3, 3 })));
        Assert.Contains("inpainting", m);
        Assert.Contains("9 channels", m);
        Assert.Contains("not supported yet", m);
    }

    [Fact]
    public void AnUnknownLayoutNamesTheExpectedAndTheFoundPrefixes()
    {
        string m = Fail(Write("other.safetensors", ("encoder.layer.0.weight", new long[] { 2 }), ("encoder.layer.1.weight", new long[] { 2 }),
            ("head.bias", new long[] { 2 })));
        Assert.Contains($"'{LdmPrefixes.UNet}'", m);
        Assert.Contains($"'{LdmPrefixes.Vae}'", m);
        Assert.Contains($"'{LdmPrefixes.OpenClip}'", m);
        Assert.Contains("'encoder.layer.*' (2)", m);
        Assert.Contains("'head.bias' (1)", m);
    }

    [Fact]
    public void ADiffusersUNetFileIsRecognisedAsSuch()
    {
        string m = Fail(Fixtures.Path("tiny-sd", "unet", "diffusion_pytorch_model.safetensors"));
        Assert.Contains("diffusers UNet weight file", m);
        Assert.False(SingleFileCheckpoint.IsSingleFile(Fixtures.Path("tiny-sd", "unet", "diffusion_pytorch_model.safetensors")));
        Assert.True(SingleFileCheckpoint.IsSingleFile(Fixtures.Path("single-file", "tiny-sd.safetensors")));
    }

    [Fact]
    public void AnEmaOnlyFileIsRefusedWithTheReason()
    {
        var keys = Enumerable.Range(0, SingleFileLayout.EmaThreshold + 1)
            .Select(i => (LdmPrefixes.EmaKey($"input_blocks.{i}.0.weight"), new long[] { 2 })).ToArray();
        string m = Fail(Write("ema-only.safetensors", keys));
        Assert.Contains("only EMA", m);
    }

    [Fact]
    public void AYamlOfTheOtherFamilyIsRefused()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SingleFileCheckpoint.Open(Fixtures.Path("single-file", "tiny-sd.safetensors"),
            new SingleFileOptions { OriginalConfig = Fixtures.Path("single-file", "tiny-sd2.yaml") }).Dispose());
        Assert.Contains("OpenClip", e.Message);
    }
}
