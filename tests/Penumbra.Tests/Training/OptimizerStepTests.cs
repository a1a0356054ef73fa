using System.Runtime;
using Penumbra.Training;
using static TorchSharp.torch;

namespace Penumbra.Tests.Training;

public class OptimizerStepTests
{
    [Fact]
    public void StepsLikeTheOptimizerAndLeavesTheCollectorAsItWas()
    {
        // Two identical parameters and gradients: one stepped directly, one through OptimizerStep.
        var a = new TorchSharp.Modules.Parameter(arange(6, dtype: ScalarType.Float32).reshape(2, 3));
        var b = new TorchSharp.Modules.Parameter(arange(6, dtype: ScalarType.Float32).reshape(2, 3));
        using var direct = optim.AdamW(new[] { a }, 0.1, weight_decay: 0.01);
        using var wrapped = optim.AdamW(new[] { b }, 0.1, weight_decay: 0.01);
        for (int step = 0; step < 3; step++)
        {
            a.grad = full(2, 3, 0.5f + step);
            b.grad = full(2, 3, 0.5f + step);
            direct.step();
            OptimizerStep.Run(wrapped);
            Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(arange(6, dtype: ScalarType.Float32).reshape(2, 3)).any().item<bool>());
    }
}
