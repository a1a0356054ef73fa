using System.Diagnostics;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionModule = Penumbra.Models.Attention.Attention;

namespace Penumbra.Bench;

/// <summary>
/// Where a UNet step's time goes, by op replay: one forward records the inputs every Conv2d, GroupNorm and Attention
/// module saw (through <see cref="ModuleTaps"/>), then each call is re-run alone on its recorded input and timed; the
/// sums per category are set against a timed whole step ("other" = the rest: linear layers outside attention, GEGLU,
/// layer norms, activations, adds, copies).
/// </summary>
public static class UNetProfile
{
    public static void Run(string name, UNet2DConditionModel unet, int latentSize)
    {
        using var scope = NewDisposeScope();
        var dtype = unet.parameters().First().dtype;
        var x = randn(2, unet.Config.InChannels, latentSize, latentSize).to(dtype);
        var ctx = randn(2, 77, unet.Config.CrossAttentionDim.Values[0]).to(dtype);
        var calls = new List<(string Category, Func<Tensor> Run)>();
        var kept = new List<Tensor>();
        // Taps run inside the module's dispose scope: the recorded inputs are detached from it and freed at the end.
        Tensor Keep(Tensor t)
        {
            var copy = t.clone().DetachFromDisposeScope();
            kept.Add(copy);
            return copy;
        }
        using (var taps = new ModuleTaps(unet))
        {
            foreach (var (path, module) in unet.named_modules())
                switch (module)
                {
                    case Conv2d conv:
                        taps.Observe(path, e => { var input = Keep(e.Input!); calls.Add(("convolutions", () => conv.forward(input))); });
                        break;
                    case GroupNorm norm:
                        taps.Observe(path, e => { var input = Keep(e.Input!); calls.Add(("group norms", () => norm.forward(input))); });
                        break;
                    case AttentionModule attention:
                        taps.Observe(path, e =>
                        {
                            var input = Keep(e.Input!);
                            var context = e.Inputs.Count > 1 && e.Inputs[1] is Tensor c ? Keep(c) : null;
                            calls.Add(("attention (projections + SDPA)", () => attention.forward(input, context)));
                        });
                        break;
                }
            using var _ = unet.Forward(x, 500, ctx);
        }
        var total = StopwatchHarness.Measure(name + " (whole step)", () => { using var y = unet.Forward(x, 500, ctx); }, warmup: 0, repeats: 1).MedianMs;
        var sums = new Dictionary<string, double>();
        foreach (var (category, run) in calls)
        {
            using (run()) { } // warm
            var sw = Stopwatch.StartNew();
            using (run()) { }
            sums[category] = sums.GetValueOrDefault(category) + sw.Elapsed.TotalMilliseconds;
        }
        foreach (var (category, ms) in sums.OrderByDescending(kv => kv.Value))
            Console.WriteLine($"  {category,-32} {ms,9:F0} ms  {ms / total,5:P0}");
        double other = total - sums.Values.Sum();
        Console.WriteLine($"  {"other",-32} {other,9:F0} ms  {other / total,5:P0}");
        foreach (var t in kept) t.Dispose();
    }
}
