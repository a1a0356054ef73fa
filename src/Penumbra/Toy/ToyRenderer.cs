using Penumbra.Imaging;

namespace Penumbra.Toy;

/// <summary>
/// Deterministic renderer of <see cref="ToyScene"/>s: a uniform background and one shape whose edge pixels are
/// anti-aliased by supersampling (coverage = fraction of the ss×ss sub-pixel centres inside the shape; pixel =
/// round(coverage · foreground + (1 − coverage) · background)).
/// </summary>
public static class ToyRenderer
{
    public const int DefaultSize = 32;
    public const int DefaultSupersample = 4;

    public static RgbImage Render(ToyScene scene, int size = DefaultSize, int supersample = DefaultSupersample)
    {
        var coverage = Coverage(scene.Shape, scene.Centre.X, scene.Centre.Y, scene.Radius, size, supersample);
        var fg = ToyPalette.Rgb(scene.Color);
        var bg = ToyPalette.Rgb(scene.Background);
        var pixels = new byte[size * size * 3];
        for (int i = 0; i < size * size; i++)
        {
            double a = coverage[i];
            pixels[3 * i] = Blend(fg.R, bg.R, a);
            pixels[3 * i + 1] = Blend(fg.G, bg.G, a);
            pixels[3 * i + 2] = Blend(fg.B, bg.B, a);
        }
        return new RgbImage(size, size, pixels);
    }

    /// <summary>
    /// Coverage in [0,1] of each pixel (row-major, size×size) by a shape of half-extent <paramref name="radius"/> centred
    /// at (cx, cy), all in unit image coordinates.
    /// </summary>
    public static float[] Coverage(ToyShape shape, double cx, double cy, double radius, int size, int supersample)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "image size must be positive");
        if (supersample <= 0) throw new ArgumentOutOfRangeException(nameof(supersample), supersample, "supersampling factor must be positive");
        if (radius <= 0) throw new ArgumentOutOfRangeException(nameof(radius), radius, "shape radius must be positive");
        var coverage = new float[size * size];
        // Every shape lies inside the square of half-extent 1.1 R: pixels outside it are pure background.
        double reach = 1.1 * radius * size;
        int x0 = Math.Max(0, (int)Math.Floor(cx * size - reach)), x1 = Math.Min(size - 1, (int)Math.Ceiling(cx * size + reach));
        int y0 = Math.Max(0, (int)Math.Floor(cy * size - reach)), y1 = Math.Min(size - 1, (int)Math.Ceiling(cy * size + reach));
        double step = 1.0 / (supersample * size), inv = 1.0 / (supersample * supersample);
        for (int py = y0; py <= y1; py++)
            for (int px = x0; px <= x1; px++)
            {
                int inside = 0;
                for (int sy = 0; sy < supersample; sy++)
                {
                    double v = ((py * supersample + sy + 0.5) * step - cy) / radius;
                    for (int sx = 0; sx < supersample; sx++)
                    {
                        double u = ((px * supersample + sx + 0.5) * step - cx) / radius;
                        if (ToyGeometry.Contains(shape, u, v)) inside++;
                    }
                }
                coverage[py * size + px] = (float)(inside * inv);
            }
        return coverage;
    }

    private static byte Blend(byte fg, byte bg, double a) => (byte)Math.Round(a * fg + (1 - a) * bg, MidpointRounding.AwayFromZero);
}
