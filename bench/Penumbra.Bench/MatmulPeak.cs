using TorchSharp;

namespace Penumbra.Bench;

/// <summary>The machine's matrix-multiply throughput (GFLOP/s) in a dtype (fp32 by default), the yardstick for model benchmarks.</summary>
public static class MatmulPeak
{
    public static double Measure(int n = 2048, torch.ScalarType dtype = torch.ScalarType.Float32)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(n, n).to(dtype);
        var b = torch.randn(n, n).to(dtype);
        string name = dtype == torch.ScalarType.Float32 ? "fp32" : dtype == torch.ScalarType.BFloat16 ? "bf16" : dtype.ToString();
        var t = StopwatchHarness.Measure($"matmul {n}x{n} {name}", () => { using var c = a.matmul(b); }, warmup: 3, repeats: 10);
        // Peak: the fastest repeat (the machine is shared; the median understates what the kernels can do).
        double gflops = 2.0 * n * n * n / (t.MinMs * 1e-3) / 1e9;
        Console.WriteLine($"{name} matmul peak: {gflops:F1} GFLOP/s on {torch.get_num_threads()} threads");
        return gflops;
    }
}
