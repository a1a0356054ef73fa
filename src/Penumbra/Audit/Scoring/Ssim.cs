using Penumbra.Imaging;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// Structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004) of two RGB images of the same size: per channel,
/// local means, variances and covariance under a normalised Gaussian window (default 11×11, σ = 1.5, shrunk to the
/// largest odd size that fits the image), over the window positions that fit inside the image ("valid"),
/// SSIM = ((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)) with C1 = (0.01·255)², C2 = (0.03·255)²;
/// the result is the mean over positions and channels. 1 for identical images. <see cref="MeanPairwise"/> is the
/// diversity measure of an audit: the mean SSIM over the unordered pairs of a prompt's images (lower = more diverse).
/// </summary>
public static class Ssim
{
    public const int DefaultWindow = 11;
    public const double DefaultSigma = 1.5;
    private const double C1 = 0.01 * 255 * 0.01 * 255, C2 = 0.03 * 255 * 0.03 * 255;

    public static double Compute(RgbImage a, RgbImage b, int window = DefaultWindow, double sigma = DefaultSigma)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"SSIM needs images of one size, got {a.Width}x{a.Height} and {b.Width}x{b.Height}");
        int size = Math.Min(window, Math.Min(a.Width, a.Height));
        if (size % 2 == 0) size--;
        var w = Weights(size, sigma);
        double sum = 0;
        int count = 0;
        for (int c = 0; c < 3; c++)
            for (int y0 = 0; y0 + size <= a.Height; y0++)
                for (int x0 = 0; x0 + size <= a.Width; x0++)
                {
                    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                    for (int dy = 0; dy < size; dy++)
                        for (int dx = 0; dx < size; dx++)
                        {
                            double k = w[dy, dx], x = a[x0 + dx, y0 + dy, c], y = b[x0 + dx, y0 + dy, c];
                            mx += k * x; my += k * y; xx += k * x * x; yy += k * y * y; xy += k * x * y;
                        }
                    double vx = xx - mx * mx, vy = yy - my * my, cxy = xy - mx * my;
                    sum += (2 * mx * my + C1) * (2 * cxy + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
                    count++;
                }
        return sum / count;
    }

    /// <summary>Mean SSIM over the N(N-1)/2 unordered pairs; NaN for fewer than two images.</summary>
    public static double MeanPairwise(IReadOnlyList<RgbImage> images, int window = DefaultWindow, double sigma = DefaultSigma)
    {
        if (images.Count < 2) return double.NaN;
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < images.Count; i++)
            for (int j = i + 1; j < images.Count; j++)
            {
                sum += Compute(images[i], images[j], window, sigma);
                pairs++;
            }
        return sum / pairs;
    }

    /// <summary>The normalised 2-D Gaussian window (an outer product of 1-D Gaussians centred on the middle tap).</summary>
    public static double[,] Weights(int size, double sigma)
    {
        var g = Enumerable.Range(0, size).Select(i => Math.Exp(-Math.Pow(i - (size - 1) / 2.0, 2) / (2 * sigma * sigma))).ToArray();
        double total = g.Sum();
        var w = new double[size, size];
        for (int i = 0; i < size; i++)
            for (int j = 0; j < size; j++) w[i, j] = g[i] * g[j] / (total * total);
        return w;
    }
}
