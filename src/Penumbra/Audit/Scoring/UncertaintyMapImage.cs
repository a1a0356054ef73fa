using Penumbra.Imaging;
using static TorchSharp.torch;

namespace Penumbra.Audit.Scoring;

/// <summary>An EMoE variance map [h, w] as a heat-map image: values divided by the map's maximum (so each map uses
/// the full scale; its absolute level is the prompt's EU), coloured with five magma-like stops from black (0) to pale
/// yellow (the maximum), and enlarged to the image size by nearest neighbour.</summary>
public static class UncertaintyMapImage
{
    private static readonly (double R, double G, double B)[] Stops =
    {
        (0, 0, 4), (80, 18, 123), (182, 54, 121), (251, 136, 97), (252, 253, 191),
    };

    public static RgbImage Render(Tensor map, int width, int height)
    {
        if (map.dim() != 2) throw new ArgumentException($"expected a [h, w] map, got [{string.Join(",", map.shape)}]");
        int h = (int)map.shape[0], w = (int)map.shape[1];
        var values = map.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        double max = values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = values[Math.Min(h - 1, y * h / height) * w + Math.Min(w - 1, x * w / width)];
                var (r, g, b) = Color(max > 0 && double.IsFinite(v) ? Math.Clamp(v / max, 0, 1) : 0);
                int o = (y * width + x) * 3;
                (rgb[o], rgb[o + 1], rgb[o + 2]) = (r, g, b);
            }
        return new RgbImage(width, height, rgb);
    }

    /// <summary>The colour of a normalised value in [0, 1] (linear between the stops).</summary>
    public static (byte R, byte G, byte B) Color(double t)
    {
        double s = t * (Stops.Length - 1);
        int i = Math.Min(Stops.Length - 2, (int)Math.Floor(s));
        double f = s - i;
        var (a, b) = (Stops[i], Stops[i + 1]);
        return ((byte)Math.Round(a.R + f * (b.R - a.R)), (byte)Math.Round(a.G + f * (b.G - a.G)), (byte)Math.Round(a.B + f * (b.B - a.B)));
    }
}
