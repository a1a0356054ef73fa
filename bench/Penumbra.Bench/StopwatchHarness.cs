using System.Diagnostics;

namespace Penumbra.Bench;

/// <summary>Times an action after warm-up runs, over several repeats; reports median and spread.
/// Ratios between measurements are only meaningful within one run of the harness.</summary>
public static class StopwatchHarness
{
    public sealed record Timing(string Name, double MedianMs, double MinMs, double MaxMs, int Repeats)
    {
        public override string ToString() => $"{Name,-48} median {MedianMs,10:F2} ms  (min {MinMs:F2}, max {MaxMs:F2}, n={Repeats})";
    }

    public static Timing Measure(string name, Action action, int warmup = 2, int repeats = 5)
    {
        for (int i = 0; i < warmup; i++) action();
        var samples = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            samples[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(samples);
        var t = new Timing(name, samples[repeats / 2], samples[0], samples[^1], repeats);
        Console.WriteLine(t);
        return t;
    }
}
