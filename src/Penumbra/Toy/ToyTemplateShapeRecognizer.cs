using Penumbra.Imaging;

namespace Penumbra.Toy;

/// <summary>
/// Shape by analysis-by-synthesis, no training. For each shape s, the radius that gives the measured area is
/// R_s = sqrt(area / Fill(s)); templates of s centred at the measured centroid, with radii k · R_s
/// (k ∈ <see cref="Scales"/>) and Gaussian blurs of σ ∈ <see cref="BlurSigmas"/> pixels (generated images are
/// blurry), are compared with the measured coverage by the sum of squared differences; the shape with the smallest
/// residual wins. Residuals are summed over one window around the centroid that holds every template of every shape
/// (outside it all templates are 0, so the omitted term is the same for all shapes).
/// </summary>
public sealed class ToyTemplateShapeRecognizer : IToyShapeRecognizer
{
    public static readonly double[] Scales = { 0.85, 0.92, 1.0, 1.08, 1.15 };
    public static readonly double[] BlurSigmas = { 0, 0.5, 0.8, 1.1, 1.5 };
    private const int Supersample = 4;

    public ToyShape Recognize(RgbImage image, ToyForeground foreground) =>
        Enum.GetValues<ToyShape>().MinBy(s => Residual(s, foreground));

    /// <summary>
    /// The smallest sum of squared differences between templates of a shape and the measured coverage, over the
    /// common window (see the class summary).
    /// </summary>
    public static double Residual(ToyShape shape, ToyForeground fg)
    {
        if (!fg.Found) return double.PositiveInfinity;
        int n = fg.Size;
        double r0 = Math.Sqrt(fg.AreaPixels / ToyGeometry.Fill(shape)) / n;
        var window = Window(fg);
        double best = double.PositiveInfinity;
        foreach (var k in Scales)
        {
            var coverage = ToyRenderer.Coverage(shape, fg.CentroidX, fg.CentroidY, k * r0, n, Supersample);
            foreach (var sigma in BlurSigmas)
            {
                var t = sigma == 0 ? coverage : Blur(coverage, n, sigma, window);
                double sse = 0;
                for (int y = window.Y0; y <= window.Y1; y++)
                    for (int x = window.X0; x <= window.X1; x++)
                    {
                        double e = t[y * n + x] - fg.Coverage[y * n + x];
                        sse += e * e;
                    }
                best = Math.Min(best, sse);
            }
        }
        return best;
    }

    private static (int X0, int X1, int Y0, int Y1) Window(ToyForeground fg)
    {
        int n = fg.Size;
        double maxRadius = Enum.GetValues<ToyShape>().Max(s => Math.Sqrt(fg.AreaPixels / ToyGeometry.Fill(s))) * Scales.Max();
        double reach = 1.1 * maxRadius + 3 * BlurSigmas.Max() + 2;
        double cx = fg.CentroidX * n, cy = fg.CentroidY * n;
        return (Math.Max(0, (int)Math.Floor(cx - reach)), Math.Min(n - 1, (int)Math.Ceiling(cx + reach)),
            Math.Max(0, (int)Math.Floor(cy - reach)), Math.Min(n - 1, (int)Math.Ceiling(cy + reach)));
    }

    /// <summary>Separable Gaussian blur (radius ⌈3σ⌉, normalised kernel, edge replication), computed inside a window.</summary>
    internal static float[] Blur(float[] image, int n, double sigma, (int X0, int X1, int Y0, int Y1) window)
    {
        int r = (int)Math.Ceiling(3 * sigma);
        var k = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) k[i + r] = Math.Exp(-i * i / (2 * sigma * sigma));
        double sum = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        var tmp = new float[n * n];
        var result = new float[n * n];
        int ty0 = Math.Max(0, window.Y0 - r), ty1 = Math.Min(n - 1, window.Y1 + r);
        for (int y = ty0; y <= ty1; y++)
            for (int x = window.X0; x <= window.X1; x++)
            {
                double acc = 0;
                for (int j = -r; j <= r; j++) acc += k[j + r] * image[y * n + Math.Clamp(x + j, 0, n - 1)];
                tmp[y * n + x] = (float)acc;
            }
        for (int y = window.Y0; y <= window.Y1; y++)
            for (int x = window.X0; x <= window.X1; x++)
            {
                double acc = 0;
                for (int j = -r; j <= r; j++) acc += k[j + r] * tmp[Math.Clamp(y + j, 0, n - 1) * n + x];
                result[y * n + x] = (float)acc;
            }
        return result;
    }
}
