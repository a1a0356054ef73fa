using TorchSharp;

namespace Penumbra.Bench;

/// <summary>The machine's fp32 matrix-multiply throughput (GFLOP/s), the yardstick for model benchmarks.</summary>
public static class MatmulPeak
{
    public static double Measure(int n = 2048)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(n, n);
        var b = torch.randn(n, n);
        var t = StopwatchHarness.Measure($"matmul {n}x{n} fp32", () => { using var c = a.matmul(b); }, warmup: 3, repeats: 10);
        // Peak: the fastest repeat (the machine is shared; the median understates what the kernels can do).
        double gflops = 2.0 * n * n * n / (t.MinMs * 1e-3) / 1e9;
        Console.WriteLine($"fp32 matmul peak: {gflops:F1} GFLOP/s on {torch.get_num_threads()} threads");
        return gflops;
    }
}
