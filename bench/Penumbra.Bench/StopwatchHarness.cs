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

    public static Timing Measure(string name, Action action, int warmup = 2, int repeats = 5) =>
        MeasureInterleaved(warmup, repeats, (name, action))[0];

    /// <summary>Times several actions round-robin (warm-up of each, then each repeat runs every action once, the order
    /// rotated every round), so slow drifts of the machine (other load, allocator state) touch all of them alike and
    /// their ratios stay meaningful on a noisy host.</summary>
    public static IReadOnlyList<Timing> MeasureInterleaved(int warmup, int repeats, params (string Name, Action Action)[] actions)
    {
        for (int i = 0; i < warmup; i++)
            foreach (var (_, action) in actions) action();
        var samples = actions.Select(_ => new double[repeats]).ToArray();
        for (int r = 0; r < repeats; r++)
            for (int k = 0; k < actions.Length; k++)
            {
                int a = (k + r) % actions.Length;
                var sw = Stopwatch.StartNew();
                actions[a].Action();
                samples[a][r] = sw.Elapsed.TotalMilliseconds;
            }
        var timings = new List<Timing>();
        for (int a = 0; a < actions.Length; a++)
        {
            Array.Sort(samples[a]);
            var t = new Timing(actions[a].Name, samples[a][repeats / 2], samples[a][0], samples[a][^1], repeats);
            Console.WriteLine(t);
            timings.Add(t);
        }
        return timings;
    }
}
