using Penumbra.Imaging;

namespace Penumbra.Toy;

/// <summary>
/// The foreground of a toy image as the checker measures it. Steps (all documented constants below):
/// 1. background colour b = per-channel median of the border pixels;
/// 2. the image is smoothed with the separable 3×3 binomial kernel [1,2,1]/4 (noise robustness);
/// 3. d = |smoothed − b| (RGB distance); no foreground if max d &lt; <see cref="MinContrast"/>;
/// 4. foreground colour f = mean of the raw pixels whose d ≥ <see cref="CoreFraction"/> · max d;
/// 5. coverage a = (p − b)·(f − b) / |f − b|², the projection on the background→foreground axis (exactly the
///    anti-aliasing coverage for a clean render; linear, so pixel noise averages out instead of adding up);
/// 6. the soft mask m = clamp((a_smoothed − 1/4) / (1/2), 0, 1), a linear ramp around a = 1/2 that zeroes the residual
///    noise of the background and keeps the area of blurred edges.
/// Area = Σ m (pixels), centroid = m-weighted mean of pixel centres in unit coordinates; <see cref="Coverage"/> is a of
/// the raw (unsmoothed) pixels, what the shape matcher compares templates with.
/// </summary>
public sealed class ToyForeground
{
    public const double MinContrast = 50;
    public const double CoreFraction = 0.8;
    private const double RampLow = 0.25, RampWidth = 0.5;

    /// <summary>Image width = height.</summary>
    public int Size { get; }
    public bool Found { get; }
    public float[] Mask { get; }
    public float[] Coverage { get; }
    public (double R, double G, double B) BackgroundRgb { get; }
    public (double R, double G, double B) ForegroundRgb { get; }
    public double AreaPixels { get; }
    public double CentroidX { get; }
    public double CentroidY { get; }

    private ToyForeground(int size, bool found, float[] mask, float[] coverage, (double, double, double) bg, (double, double, double) fg,
        double area, double cx, double cy)
    {
        Size = size; Found = found; Mask = mask; Coverage = coverage; BackgroundRgb = bg; ForegroundRgb = fg; AreaPixels = area; CentroidX = cx; CentroidY = cy;
    }

    public static ToyForeground Measure(RgbImage image)
    {
        if (image.Width != image.Height) throw new ArgumentException($"toy images are square; got {image.Width}x{image.Height}", nameof(image));
        int n = image.Width;
        var raw = new double[3][];
        for (int c = 0; c < 3; c++)
        {
            raw[c] = new double[n * n];
            for (int i = 0; i < n * n; i++) raw[c][i] = image.Rgb[3 * i + c];
        }
        var bg = (Median(Border(raw[0], n)), Median(Border(raw[1], n)), Median(Border(raw[2], n)));
        var smooth = raw.Select(ch => Smooth(ch, n)).ToArray();
        var d = new double[n * n];
        for (int i = 0; i < n * n; i++) d[i] = Distance(smooth[0][i], smooth[1][i], smooth[2][i], bg);
        double dmax = d.Max();
        var mask = new float[n * n];
        var coverage = new float[n * n];
        if (dmax < MinContrast) return new ToyForeground(n, false, mask, coverage, bg, bg, 0, 0.5, 0.5);

        double fr = 0, fgG = 0, fb = 0; int count = 0;
        for (int i = 0; i < n * n; i++)
            if (d[i] >= CoreFraction * dmax) { fr += raw[0][i]; fgG += raw[1][i]; fb += raw[2][i]; count++; }
        var fg = (fr / count, fgG / count, fb / count);
        double ar = fg.Item1 - bg.Item1, ag = fg.Item2 - bg.Item2, ab = fg.Item3 - bg.Item3;
        double norm2 = Math.Max(ar * ar + ag * ag + ab * ab, MinContrast * MinContrast);
        double area = 0, sx = 0, sy = 0;
        for (int i = 0; i < n * n; i++)
        {
            coverage[i] = (float)(((raw[0][i] - bg.Item1) * ar + (raw[1][i] - bg.Item2) * ag + (raw[2][i] - bg.Item3) * ab) / norm2);
            double m = Ramp(((smooth[0][i] - bg.Item1) * ar + (smooth[1][i] - bg.Item2) * ag + (smooth[2][i] - bg.Item3) * ab) / norm2);
            mask[i] = (float)m;
            area += m;
            sx += m * (i % n + 0.5);
            sy += m * (i / n + 0.5);
        }
        if (area <= 0) return new ToyForeground(n, false, mask, coverage, bg, bg, 0, 0.5, 0.5);
        return new ToyForeground(n, true, mask, coverage, bg, fg, area, sx / area / n, sy / area / n);
    }

    private static double Ramp(double a) => Math.Clamp((a - RampLow) / RampWidth, 0, 1);

    private static double Distance(double r, double g, double b, (double R, double G, double B) c) =>
        Math.Sqrt((r - c.R) * (r - c.R) + (g - c.G) * (g - c.G) + (b - c.B) * (b - c.B));

    private static IEnumerable<double> Border(double[] ch, int n)
    {
        for (int x = 0; x < n; x++) { yield return ch[x]; yield return ch[(n - 1) * n + x]; }
        for (int y = 1; y < n - 1; y++) { yield return ch[y * n]; yield return ch[y * n + n - 1]; }
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }

    /// <summary>Separable [1,2,1]/4 blur with edge replication.</summary>
    internal static double[] Smooth(double[] ch, int n)
    {
        var tmp = new double[n * n];
        var outp = new double[n * n];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                tmp[y * n + x] = 0.25 * ch[y * n + Math.Max(x - 1, 0)] + 0.5 * ch[y * n + x] + 0.25 * ch[y * n + Math.Min(x + 1, n - 1)];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                outp[y * n + x] = 0.25 * tmp[Math.Max(y - 1, 0) * n + x] + 0.5 * tmp[y * n + x] + 0.25 * tmp[Math.Min(y + 1, n - 1) * n + x];
        return outp;
    }
}
