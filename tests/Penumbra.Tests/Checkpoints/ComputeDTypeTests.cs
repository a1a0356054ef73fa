using Penumbra.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Checkpoints;

public class ComputeDTypeTests
{
    [Theory]
    [InlineData(ScalarType.Float16, "cpu", null, ScalarType.Float32, true)]
    [InlineData(ScalarType.BFloat16, "cpu", null, ScalarType.Float32, true)]
    [InlineData(ScalarType.Float32, "cpu", null, ScalarType.Float32, false)]
    [InlineData(ScalarType.Float16, "cuda", null, ScalarType.Float16, false)]
    [InlineData(ScalarType.Float32, "cuda", null, ScalarType.Float32, false)]
    [InlineData(ScalarType.Float16, "cpu", ScalarType.BFloat16, ScalarType.BFloat16, false)]
    [InlineData(ScalarType.Float32, "cpu", ScalarType.Float16, ScalarType.Float16, true)]
    public void ChoosesAsDocumented(ScalarType stored, string device, ScalarType? requested, ScalarType expected, bool note)
    {
        var (dtype, text) = ComputeDType.Choose(stored, new Device(device == "cpu" ? DeviceType.CPU : DeviceType.CUDA, device == "cpu" ? -1 : 0), requested);
        Assert.Equal(expected, dtype);
        Assert.Equal(note, text is not null);
    }
}
