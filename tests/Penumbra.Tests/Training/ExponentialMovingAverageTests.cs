using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Tests.Training;

public class ExponentialMovingAverageTests
{
    [Fact]
    public void ShadowFollowsTheWarmedUpRecurrenceAndIsCopiedBack()
    {
        using var module = nn.Linear(2, 1, hasBias: false);
        using (no_grad()) module.weight!.copy_(tensor(new float[] { 1f, -2f }).reshape(1, 2));
        using var ema = new ExponentialMovingAverage(module, 0.5);
        // Hand-computed: d_k = min(0.5, (1+k)/(10+k)) = 0.1, 0.1818..., 0.25, then 0.5 is not reached before k = 8.
        double[] shadow = { 1, -2 };
        var iterates = new[] { new[] { 3.0, 0.0 }, new[] { 5.0, 4.0 }, new[] { -1.0, 2.0 } };
        for (int k = 0; k < iterates.Length; k++)
        {
            using (no_grad()) module.weight!.copy_(tensor(iterates[k].Select(v => (float)v).ToArray()).reshape(1, 2));
            ema.Update(k);
            double d = Math.Min(0.5, (1.0 + k) / (10.0 + k));
            for (int i = 0; i < 2; i++) shadow[i] = d * shadow[i] + (1 - d) * iterates[k][i];
        }
        Assert.Equal(0.5, ema.DecayAt(8));
        Assert.Equal(9.0 / 18.0, ema.DecayAt(8));
        ema.CopyTo();
        var w = module.weight!.data<float>().ToArray();
        Assert.Equal(shadow[0], w[0], 5);
        Assert.Equal(shadow[1], w[1], 5);
    }

    [Fact]
    public void DecayOutsideTheOpenUnitIntervalIsRejected()
    {
        using var module = nn.Linear(2, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(module, 1.0));
    }
}
