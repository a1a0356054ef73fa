using System.Runtime;
using TorchSharp;

namespace Penumbra.Training;

/// <summary>
/// <c>optimizer.step()</c> without a garbage collection in the middle. TorchSharp 0.107's optimizers hand implicitly
/// converted <see cref="Scalar"/>s (AdamW's <c>addcdiv_</c> value, <c>add_</c>'s alpha) to native code without keeping
/// them alive, so a collection triggered by another thread during the call can finalize one while libtorch reads it
/// ("Expected false to be true" from <c>c10::Scalar::toFloat</c>; dotnet/TorchSharp#1496). Stepping inside a no-GC
/// region closes that window; steps are serialised because the region is process-wide.
/// </summary>
public static class OptimizerStep
{
    // Far above what one step allocates in managed objects (a few wrappers per parameter).
    private const long Budget = 16L << 20;
    private static readonly object Gate = new();

    public static void Run(torch.optim.Optimizer optimizer)
    {
        lock (Gate)
        {
            bool region;
            try
            {
                region = GC.TryStartNoGCRegion(Budget);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
            {
                region = false; // a region begun elsewhere, or a budget this GC cannot give: step as before
            }
            try
            {
                optimizer.step();
            }
            finally
            {
                // Other threads' allocations can exhaust the budget, which ends the region early.
                if (region && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            }
        }
    }
}
