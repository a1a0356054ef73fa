using Penumbra.Quality;

namespace Penumbra.Tests.Quality;

public class FrechetDistanceTests
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void OneDimensionIsMeanGapSquaredPlusStdGapSquared()
    {
        // a: mean 2, unbiased variance 1 (1, 2, 3); b: mean 5, variance 4 (3, 5, 7). FD = 3^2 + (1 - 2)^2 = 10.
        var a = new[] { new[] { 1.0 }, new[] { 2.0 }, new[] { 3.0 } };
        var b = new[] { new[] { 3.0 }, new[] { 5.0 }, new[] { 7.0 } };
        Assert.Equal(10.0, FrechetDistance.Compute(a, b), Tolerance);
        Assert.Equal(0.0, FrechetDistance.Compute(a, a), 1e-7);
    }

    [Fact]
    public void IsInvariantUnderACommonRotation()
    {
        // Independent axes: FD = sum over axes of the 1-D formula; rotating both sets by 30 degrees changes nothing.
        var a = new[] { new[] { 1.0, 0 }, new[] { 3.0, 0 }, new[] { 1.0, 2 }, new[] { 3.0, 2 } };
        var b = new[] { new[] { 0.0, 1 }, new[] { 4.0, 1 }, new[] { 0.0, 5 }, new[] { 4.0, 5 } };
        // a: means (2, 1), variances (4/3, 4/3); b: means (2, 3), variances (16/3, 16/3).
        double sa = Math.Sqrt(4.0 / 3), sb = Math.Sqrt(16.0 / 3);
        double expected = 0 + 4 + 2 * (sa - sb) * (sa - sb);
        Assert.Equal(expected, FrechetDistance.Compute(a, b), Tolerance);
        double c = Math.Cos(Math.PI / 6), s = Math.Sin(Math.PI / 6);
        double[][] Rotate(double[][] x) => x.Select(v => new[] { c * v[0] - s * v[1], s * v[0] + c * v[1] }).ToArray();
        Assert.Equal(expected, FrechetDistance.Compute(Rotate(a), Rotate(b)), 1e-8);
    }

    [Fact]
    public void TooFewRowsOrMismatchedSizesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(new[] { new[] { 1.0 } }, new[] { new[] { 1.0 }, new[] { 2.0 } }));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(new[] { new[] { 1.0 }, new[] { 2.0 } },
            new[] { new[] { 1.0, 2 }, new[] { 2.0, 3 } }));
    }
}
