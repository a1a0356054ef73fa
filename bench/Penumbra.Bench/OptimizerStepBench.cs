using Penumbra.Models.Unets;
using Penumbra.Toy.Models;
using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>
/// <c>optimizer</c>: what <see cref="OptimizerStep.Run"/> (AdamW stepped inside a no-GC region, which on this runtime
/// begins with a full collection) costs against a plain <c>step()</c>, on one 64×64 weight (the worst case: the step
/// itself is tiny) and on the bundled toy UNet's parameters (a real training step's optimizer share). Both optimizers
/// step the same shapes with fixed gradients, interleaved in rounds; gen-2 collections counted per step.
/// </summary>
public static class OptimizerStepBench
{
    public static void Run(int stepsPerRepeat = 200)
    {
        Compare("64x64 weight", () => new[] { nn.Parameter(randn(64, 64)) }, stepsPerRepeat);
        Compare("toy UNet", () =>
        {
            using var unet = new UNet2DConditionModel(ToyWorld.UNetConfig);
            return unet.parameters().Select(p => nn.Parameter(p.detach().clone())).ToArray();
        }, stepsPerRepeat / 4);
    }

    private static void Compare(string name, Func<TorchSharp.Modules.Parameter[]> parameters, int steps)
    {
        var (plainParams, wrappedParams) = (parameters(), parameters());
        foreach (var q in plainParams.Concat(wrappedParams)) q.grad = ones_like(q).mul(1e-3);
        using var plain = optim.AdamW(plainParams, 1e-3);
        using var wrapped = optim.AdamW(wrappedParams, 1e-3);
        int gen2Before = GC.CollectionCount(2);
        int wrappedSteps = 0;
        var timings = StopwatchHarness.MeasureInterleaved(2, 7,
            ($"{name}: {steps} plain AdamW steps", () => { for (int i = 0; i < steps; i++) plain.step(); }),
            ($"{name}: {steps} steps via OptimizerStep.Run", () => { for (int i = 0; i < steps; i++, wrappedSteps++) OptimizerStep.Run(wrapped); }));
        int gen2 = GC.CollectionCount(2) - gen2Before;
        double p = timings[0].MedianMs / steps, w = timings[1].MedianMs / steps;
        Console.WriteLine($"  {name}: per step plain {p:F3} ms, wrapped {w:F3} ms ({w / p:F2}x, {w - p:+0.000;-0.000} ms); " +
                          $"gen-2 collections {gen2} over {wrappedSteps} wrapped and as many plain steps");
        foreach (var q in plainParams.Concat(wrappedParams)) q.Dispose();
    }
}
