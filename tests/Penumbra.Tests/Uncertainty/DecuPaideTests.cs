using Penumbra.Uncertainty;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

/// <summary>DECU's pairwise-distance estimate against values worked out by hand.</summary>
public class DecuPaideTests
{
    [Fact]
    public void ThreePathsOnALine()
    {
        // Paths 0, 1, 1 (one dimension): D01 = D02 = 1, D12 = 0.
        // Row 0: (1 + 2/e) / 3; rows 1 and 2: (2 + 1/e) / 3; PaiDE = -(1/3) [log row0 + 2 log row1].
        using var paths = tensor(new double[] { 0, 1, 1 }).reshape(3, 1);
        double expected = -(Math.Log((1 + 2 / Math.E) / 3) + 2 * Math.Log((2 + 1 / Math.E) / 3)) / 3;
        Assert.Equal(expected, DecuPaide.Score(paths), 12);
    }

    [Fact]
    public void ItRunsFromZeroForEqualPathsToLogMForDistantOnes()
    {
        // Two paths [0,0] and [1,1] in a [2, 1, 2] latent: D = 2, PaiDE = -log((1 + e^-2) / 2).
        using var two = tensor(new float[] { 0, 0, 1, 1 }).reshape(2, 1, 2);
        Assert.Equal(-Math.Log((1 + Math.Exp(-2)) / 2), DecuPaide.Score(two), 6);
        using var same = ones(4, 3, 2, 2);
        Assert.Equal(0, DecuPaide.Score(same), 12);
        // Every pair 10^4 apart: each row keeps only its own exp(0) = 1, PaiDE = log 4 exactly (no underflow to -inf).
        using var far = (arange(4, ScalarType.Float64) * 100).reshape(4, 1);
        Assert.Equal(Math.Log(4), DecuPaide.Score(far), 12);
        using var one = zeros(1, 3);
        Assert.Throws<ArgumentException>(() => DecuPaide.Score(one));
    }
}
