using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Tests.IO;

public class DiffusersWeightsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-weights").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Touch(params string[] names)
    {
        foreach (var n in names)
            if (n.EndsWith(".safetensors"))
                SafetensorsWriter.Save(Path.Combine(_dir, n), new Dictionary<string, torch.Tensor> { [n] = torch.ones(1) });
            else
                File.WriteAllText(Path.Combine(_dir, n), "x");
    }

    [Theory]
    [InlineData(null, "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors", "model.safetensors", "diffusion_pytorch_model.fp16.safetensors")]
    [InlineData(null, "model.safetensors", "model.safetensors", "model.fp16.safetensors")]
    [InlineData(null, "diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.safetensors.index.json")]
    [InlineData(null, "model.safetensors.index.json", "model.safetensors.index.json", "pytorch_model.bin")]
    [InlineData("fp16", "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors")]
    [InlineData("fp16", "model.fp16.safetensors", "model.safetensors", "model.fp16.safetensors")]
    [InlineData("fp16", "diffusion_pytorch_model.safetensors.fp16.index.json", "diffusion_pytorch_model.safetensors.fp16.index.json")]
    [InlineData("fp16", "model.safetensors.index.fp16.json", "model.safetensors.index.fp16.json", "model.safetensors")]
    [InlineData("ema", "diffusion_pytorch_model.ema.safetensors", "diffusion_pytorch_model.ema.safetensors", "diffusion_pytorch_model.fp16.safetensors")]
    public void ResolvesTheFileDiffusersWouldLoad(string? variant, string expected, params string[] present)
    {
        Touch(present);
        Assert.Equal(Path.Combine(_dir, expected), DiffusersWeights.Resolve(_dir, variant));
    }

    [Fact]
    public void OpenReadsAVariantFile()
    {
        var half = torch.randn(3, 2).to_type(torch.float16);
        SafetensorsWriter.Save(Path.Combine(_dir, "diffusion_pytorch_model.fp16.safetensors"), new Dictionary<string, torch.Tensor> { ["w"] = half });
        using var source = DiffusersWeights.Open(_dir, "fp16");
        Assert.Equal(torch.ScalarType.Float16, source.DType("w"));
        Assert.True(SafetensorsRoundTripTests.Same(half, source.Load("w")));
    }

    [Theory]
    [InlineData(null, "no weight file: expected diffusion_pytorch_model.safetensors or model.safetensors", "config.json")]
    [InlineData(null, "only a PyTorch pickle checkpoint is present (diffusion_pytorch_model.bin), which is not supported", "config.json", "diffusion_pytorch_model.bin")]
    [InlineData(null, "convert it to safetensors", "pytorch_model.bin")]
    [InlineData(null, "found diffusion_pytorch_model.fp16.safetensors: pass the variant", "diffusion_pytorch_model.fp16.safetensors")]
    [InlineData("fp16", "no 'fp16' variant", "config.json")]
    [InlineData("fp16", "found diffusion_pytorch_model.safetensors: choose the variant that is present", "diffusion_pytorch_model.safetensors")]
    [InlineData("fp16", "pickle", "diffusion_pytorch_model.fp16.bin")]
    public void MissingWeightsGiveAClearError(string? variant, string reason, params string[] present)
    {
        Touch(present);
        var e = Assert.Throws<CheckpointFormatException>(() => DiffusersWeights.Resolve(_dir, variant));
        Assert.Equal(_dir, e.FilePath);
        Assert.Contains(reason, e.Reason);
    }

    [Fact]
    public void BadVariantAndMissingFolderAreRejected()
    {
        Assert.Throws<ArgumentException>(() => DiffusersWeights.Resolve(_dir, "../x"));
        Assert.Throws<DirectoryNotFoundException>(() => DiffusersWeights.Resolve(Path.Combine(_dir, "absent")));
    }
}
