using Penumbra.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>EMoE variance maps as pictures: bilinear upsampling of the [h, w] map to image size, and a heat-map overlay
/// (map / its maximum through a blue-cyan-yellow-red colour ramp, alpha-blended over the generated image, or over a neutral
/// grey background when there is none).</summary>
public static class EmoeHeatMap
{
    private static readonly (double R, double G, double B)[] Ramp =
    {
        (0.05, 0.05, 0.55), (0.0, 0.55, 0.95), (0.2, 0.85, 0.6), (0.98, 0.9, 0.15), (0.85, 0.1, 0.05),
    };

    /// <summary>The map [h, w] upsampled bilinearly (half-pixel centres) to [height, width], float64.</summary>
    public static Tensor Upsample(Tensor map, int height, int width)
    {
        if (map.dim() != 2) throw new ArgumentException($"a variance map is [h, w], got [{string.Join(",", map.shape)}]", nameof(map));
        using var scope = NewDisposeScope();
        var up = nn.functional.interpolate(map.to(ScalarType.Float64).cpu().unsqueeze(0).unsqueeze(0), new long[] { height, width },
            mode: InterpolationMode.Bilinear, align_corners: false);
        return scope.MoveToOuter(up[0, 0]);
    }

    /// <summary>An overlay <paramref name="scale"/> times the size of <paramref name="image"/> (nearest-neighbour enlarged), or of
    /// <paramref name="width"/>×<paramref name="height"/> grey without an image; <paramref name="alpha"/> is the heat map's weight.</summary>
    public static RgbImage Overlay(Tensor map, RgbImage? image, int width, int height, int scale = 1, double alpha = 0.55)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1");
        if (image is not null) (width, height) = (image.Width, image.Height);
        int w = width * scale, h = height * scale;
        using var up = Upsample(map, h, w);
        var values = up.contiguous().data<double>().ToArray();
        double max = values.Max();
        var rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double v = max > 0 ? Math.Clamp(values[y * w + x] / max, 0, 1) : 0;
                var (r, g, b) = Colour(v);
                for (int c = 0; c < 3; c++)
                {
                    double bg = image is null ? 128 : image[x / scale, y / scale, c];
                    double heat = 255 * (c == 0 ? r : c == 1 ? g : b);
                    rgb[(y * w + x) * 3 + c] = (byte)Math.Round((1 - alpha) * bg + alpha * heat);
                }
            }
        return new RgbImage(w, h, rgb);
    }

    /// <summary>The ramp colour at <paramref name="v"/> in [0, 1] (piecewise linear between the stops).</summary>
    public static (double R, double G, double B) Colour(double v)
    {
        double p = Math.Clamp(v, 0, 1) * (Ramp.Length - 1);
        int i = Math.Min((int)p, Ramp.Length - 2);
        double f = p - i;
        var (a, b) = (Ramp[i], Ramp[i + 1]);
        return (a.R + f * (b.R - a.R), a.G + f * (b.G - a.G), a.B + f * (b.B - a.B));
    }
}
