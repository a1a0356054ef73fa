using Penumbra.Runtime;
using static TorchSharp.torch;

namespace Penumbra.Tests.Runtime;

/// <summary>
/// The CPU kernels training relies on, checked against float64 (which libtorch computes without oneDNN). Uncapped
/// oneDNN on AMD Zen 5 gave relative errors up to 0.8 and NaN for the small-channel float32 convolutions below.
/// </summary>
public class CpuKernelSanityTests
{
    public static TheoryData<int, int, int, int, int> Convolutions => new()
    {
        { 3, 8, 3, 1, 8 }, { 8, 8, 3, 1, 8 }, { 24, 8, 3, 1, 8 }, { 8, 3, 3, 1, 8 }, { 8, 8, 3, 2, 8 }, { 96, 32, 3, 1, 16 },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Float32ConvolutionForwardAndBackwardMatchFloat64(int cin, int cout, int kernel, int stride, int size)
    {
        using var generator = new Generator(7);
        for (int i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            var x = randn(new long[] { 4, cin, size, size }, generator: generator);
            var w = randn(new long[] { cout, cin, kernel, kernel }, generator: generator) * 0.2;
            var b = randn(new long[] { cout }, generator: generator);
            var f32 = Run(x, w, b, ScalarType.Float32, stride, kernel);
            var f64 = Run(x, w, b, ScalarType.Float64, stride, kernel);
            string[] names = { "output", "grad input", "grad weight", "grad bias" };
            for (int j = 0; j < names.Length; j++)
            {
                double err = (f32[j] - f64[j]).abs().max().item<double>() / f64[j].abs().max().item<double>();
                Assert.True(err < 1e-4, $"{names[j]} of conv {cin}->{cout} k{kernel} s{stride} {size}x{size}: relative error {err} " +
                                        $"(oneDNN cap applied: {OneDnnWorkaround.Applied})");
            }
        }
    }

    private static Tensor[] Run(Tensor x, Tensor w, Tensor b, ScalarType dtype, int stride, int kernel)
    {
        var xx = x.to(dtype).detach().requires_grad_(true);
        var ww = w.to(dtype).detach().requires_grad_(true);
        var bb = b.to(dtype).detach().requires_grad_(true);
        var y = nn.functional.conv2d(xx, ww, bb, strides: new long[] { stride, stride }, padding: new long[] { kernel / 2, kernel / 2 });
        (y.square().sum() * 0.01).backward();
        return new[] { y.detach().to(float64), xx.grad!.to(float64), ww.grad!.to(float64), bb.grad!.to(float64) };
    }

    [Fact]
    public void OnlyAmdZen5WithAvx512IsCapped()
    {
        const string zen5 = "vendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nflags\t\t: fpu sse avx2 avx512f avx512_vp2intersect\n";
        Assert.True(OneDnnWorkaround.IsAffectedCpu(zen5));
        Assert.False(OneDnnWorkaround.IsAffectedCpu(zen5.Replace("cpu family\t: 26", "cpu family\t: 25")));
        Assert.False(OneDnnWorkaround.IsAffectedCpu(zen5.Replace(" avx512f", "")));
        Assert.False(OneDnnWorkaround.IsAffectedCpu(zen5.Replace("AuthenticAMD", "GenuineIntel")));
        Assert.False(OneDnnWorkaround.IsAffectedCpu(""));
    }
}
