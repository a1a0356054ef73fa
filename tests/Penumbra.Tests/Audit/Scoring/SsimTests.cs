using Penumbra.Audit.Scoring;
using Penumbra.Imaging;

namespace Penumbra.Tests.Audit.Scoring;

public class SsimTests
{
    private const double C1 = 6.5025, C2 = 58.5225; // (0.01*255)^2, (0.03*255)^2

    private static RgbImage Gray(int w, int h, Func<int, int, int> value)
    {
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                rgb[(y * w + x) * 3] = rgb[(y * w + x) * 3 + 1] = rgb[(y * w + x) * 3 + 2] = (byte)value(x, y);
        return new RgbImage(w, h, rgb);
    }

    [Fact]
    public void IdenticalImagesHaveSsimOne()
    {
        var a = Gray(16, 16, (x, y) => (x * 37 + y * 11) % 256);
        Assert.Equal(1.0, Ssim.Compute(a, a), 12);
    }

    [Fact]
    public void ConstantImagesReduceToTheLuminanceTerm()
    {
        // No variance: SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1) at every position.
        var a = Gray(12, 12, (_, _) => 100);
        var b = Gray(12, 12, (_, _) => 150);
        Assert.Equal((2 * 100 * 150 + C1) / (100 * 100 + 150 * 150 + C1), Ssim.Compute(a, b), 12);
    }

    [Fact]
    public void OnePixelWindowIsThePerPixelFormulaAveraged()
    {
        // Window 1: mean = the pixel, variances 0, so SSIM = mean over pixels of (2xy + C1) / (x^2 + y^2 + C1).
        int[] xs = { 0, 50, 200, 255 }, ys = { 10, 50, 100, 0 };
        var a = Gray(2, 2, (x, y) => xs[y * 2 + x]);
        var b = Gray(2, 2, (x, y) => ys[y * 2 + x]);
        double expected = Enumerable.Range(0, 4).Average(i => (2.0 * xs[i] * ys[i] + C1) / ((double)xs[i] * xs[i] + (double)ys[i] * ys[i] + C1));
        Assert.Equal(expected, Ssim.Compute(a, b, window: 1), 12);
    }

    [Fact]
    public void ThreeByThreeWindowMatchesTheWrittenOutFormula()
    {
        // One window position on a 3x3 image: Gaussian weights g = [e, 1, e] / (1 + 2e), e = exp(-1 / (2 sigma^2)), w = g g^T.
        int[] xs = { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, ys = { 90, 20, 30, 40, 55, 60, 70, 80, 5 };
        double e = Math.Exp(-1 / (2 * 1.5 * 1.5));
        double[] g = { e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e) };
        double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < 9; i++)
        {
            double w = g[i / 3] * g[i % 3];
            mx += w * xs[i]; my += w * ys[i]; xx += w * xs[i] * xs[i]; yy += w * ys[i] * ys[i]; xy += w * xs[i] * ys[i];
        }
        double expected = (2 * mx * my + C1) * (2 * (xy - mx * my) + C2) / ((mx * mx + my * my + C1) * (xx - mx * mx + yy - my * my + C2));
        var a = Gray(3, 3, (x, y) => xs[y * 3 + x]);
        var b = Gray(3, 3, (x, y) => ys[y * 3 + x]);
        Assert.Equal(expected, Ssim.Compute(a, b), 12); // the 11x11 default shrinks to 3x3
        Assert.Equal(expected, Ssim.Compute(b, a), 12);
    }

    [Fact]
    public void MeanPairwiseAveragesTheUnorderedPairs()
    {
        var images = new[] { Gray(8, 8, (_, _) => 10), Gray(8, 8, (_, _) => 100), Gray(8, 8, (_, _) => 200) };
        double L(double x, double y) => (2 * x * y + C1) / (x * x + y * y + C1);
        Assert.Equal((L(10, 100) + L(10, 200) + L(100, 200)) / 3, Ssim.MeanPairwise(images), 12);
        Assert.True(double.IsNaN(Ssim.MeanPairwise(images[..1])));
        Assert.Throws<ArgumentException>(() => Ssim.Compute(images[0], Gray(4, 8, (_, _) => 0)));
    }
}
