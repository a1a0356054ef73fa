using Penumbra.Runtime;
using TorchSharp;

namespace Penumbra.Tests.Runtime;

public class RuntimeOptionsTests
{
    [Theory]
    [InlineData("float32", torch.ScalarType.Float32)]
    [InlineData("fp32", torch.ScalarType.Float32)]
    [InlineData("FP32", torch.ScalarType.Float32)]
    [InlineData("float16", torch.ScalarType.Float16)]
    [InlineData("fp16", torch.ScalarType.Float16)]
    [InlineData("half", torch.ScalarType.Float16)]
    [InlineData("bfloat16", torch.ScalarType.BFloat16)]
    [InlineData(" bf16 ", torch.ScalarType.BFloat16)]
    public void DTypeStringsParse(string text, torch.ScalarType expected)
    {
        Assert.Equal(expected, DTypeParser.Parse(text));
        Assert.Equal(expected, DTypeParser.Parse(DTypeParser.Name(expected)));
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("float64")]
    [InlineData("")]
    [InlineData("fp8")]
    public void UnknownDTypeNamesTheOptionAndTheChoices(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DTypeParser.Parse(text, "--dtype"));
        Assert.Contains($"--dtype '{text}'", e.Message);
        Assert.Contains("float32 (fp32), float16 (fp16, half) or bfloat16 (bf16)", e.Message);
    }

    [Fact]
    public void CpuParsesWithoutProbingCuda()
    {
        var d = DeviceParser.Parse("cpu", "--device", () => throw new InvalidOperationException("probed"), () => 0);
        Assert.Equal(DeviceType.CPU, d.type);
        Assert.Equal(DeviceType.CPU, DeviceParser.Parse("CPU").type);
    }

    [Theory]
    [InlineData("cuda", 0)]
    [InlineData("cuda:0", 0)]
    [InlineData("cuda:2", 2)]
    public void CudaParsesWhenAvailable(string text, int index)
    {
        var d = DeviceParser.Parse(text, "--device", () => true, () => 3);
        Assert.Equal(DeviceType.CUDA, d.type);
        Assert.Equal(index, d.index);
    }

    [Fact]
    public void CudaWithoutCudaSaysSo()
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceParser.Parse("cuda", "--device", () => false, () => 0));
        Assert.Contains("--device 'cuda': CUDA was requested but torch.cuda.is_available() is false", e.Message);
    }

    [Fact]
    public void CudaIndexBeyondTheDevicesSaysHowManyThereAre()
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceParser.Parse("cuda:2", "--device", () => true, () => 2));
        Assert.Contains("there are 2 CUDA devices (cuda:0..cuda:1)", e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("mps")]
    [InlineData("cuda 1")]
    public void MalformedDevicesAreRejected(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceParser.Parse(text, "--device", () => true, () => 8));
        Assert.Contains($"--device '{text}': not a device; use cpu, cuda or cuda:N", e.Message);
    }

    [Fact]
    public void RealProbeAgreesWithLibtorch()
    {
        // On this machine's build: cuda parses exactly when libtorch reports a device.
        if (torch.cuda.is_available()) Assert.Equal(DeviceType.CUDA, DeviceParser.Parse("cuda").type);
        else Assert.Contains("is_available() is false", Assert.Throws<ArgumentException>(() => DeviceParser.Parse("cuda")).Message);
    }

    [Fact]
    public void OptionsDefaultToCpuFloat32()
    {
        var o = RuntimeOptions.Parse(null, null);
        Assert.Equal(DeviceType.CPU, o.Device.type);
        Assert.Equal(torch.ScalarType.Float32, o.DType);
        Assert.Equal(torch.ScalarType.BFloat16, RuntimeOptions.Parse("cpu", "bf16").DType);
    }
}
