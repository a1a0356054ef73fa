namespace Penumbra.Imaging;

/// <summary>
/// <c>PIL.Image.resize(size, resample, reducing_gap=None)</c> for 8-bit RGB, reproducing Pillow's <c>Resample.c</c>:
/// separable convolution (horizontal pass first, then vertical; a pass is skipped when that side keeps its size),
/// filter support widened by the scale when downsampling, weights normalised per output pixel and converted to 22-bit
/// fixed point, and each pass rounded and clamped to uint8. Bicubic uses a = -0.5.
/// </summary>
public static class PilResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static RgbImage Resize(RgbImage image, int width, int height, PilResample resample = PilResample.Bicubic)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"target size {width}x{height} is not positive");
        if (image.Rgb.Length != image.Width * image.Height * 3)
            throw new ArgumentException($"image has {image.Rgb.Length} bytes, expected {image.Width * image.Height * 3}");
        if (resample == PilResample.Nearest) throw new NotSupportedException("nearest-neighbour resampling is not implemented; use bilinear or bicubic");
        var (support, filter) = Filter(resample);
        var current = image;
        if (width != image.Width)
        {
            var (bounds, kernel, ksize) = Coefficients(image.Width, width, support, filter);
            current = Horizontal(current, width, bounds, kernel, ksize);
        }
        if (height != image.Height)
        {
            var (bounds, kernel, ksize) = Coefficients(image.Height, height, support, filter);
            current = Vertical(current, height, bounds, kernel, ksize);
        }
        return ReferenceEquals(current, image) ? image with { Rgb = (byte[])image.Rgb.Clone() } : current;
    }

    private static (double Support, Func<double, double> Filter) Filter(PilResample resample) => resample switch
    {
        PilResample.Box => (0.5, x => x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
        PilResample.Bilinear => (1.0, x => Math.Abs(x) < 1.0 ? 1.0 - Math.Abs(x) : 0.0),
        PilResample.Hamming => (1.0, Hamming),
        PilResample.Bicubic => (2.0, Bicubic),
        PilResample.Lanczos => (3.0, x => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0),
        _ => throw new ArgumentOutOfRangeException(nameof(resample), resample, "unknown PIL resampling filter"),
    };

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double Hamming(double x)
    {
        x = Math.Abs(x);
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54 + 0.46 * Math.Cos(x));
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Pillow's <c>precompute_coeffs</c> + <c>normalize_coeffs_8bpc</c> over the whole input range.</summary>
    private static (int[] Bounds, int[] Kernel, int KSize) Coefficients(int inSize, int outSize, double filterSupport, Func<double, double> filter)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterSupport * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kernel = new int[outSize * ksize];
        var weights = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                weights[x] = filter((x + xmin - center + 0.5) * ss);
                ww += weights[x];
            }
            for (int x = 0; x < ksize; x++)
            {
                double w = x < xmax ? (ww != 0.0 ? weights[x] / ww : weights[x]) : 0.0;
                kernel[xx * ksize + x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (bounds, kernel, ksize);
    }

    private static byte Clip8(long v) => v <= 0 ? (byte)0 : (v >> PrecisionBits) >= 255 ? (byte)255 : (byte)(v >> PrecisionBits);

    private static RgbImage Horizontal(RgbImage src, int outWidth, int[] bounds, int[] kernel, int ksize)
    {
        var dst = new byte[outWidth * src.Height * 3];
        for (int y = 0; y < src.Height; y++)
        {
            int row = y * src.Width * 3;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], k = xx * ksize;
                for (int c = 0; c < 3; c++)
                {
                    long ss = 1L << (PrecisionBits - 1);
                    for (int x = 0; x < xmax; x++) ss += src.Rgb[row + (x + xmin) * 3 + c] * (long)kernel[k + x];
                    dst[(y * outWidth + xx) * 3 + c] = Clip8(ss);
                }
            }
        }
        return new RgbImage(outWidth, src.Height, dst);
    }

    private static RgbImage Vertical(RgbImage src, int outHeight, int[] bounds, int[] kernel, int ksize)
    {
        int w = src.Width;
        var dst = new byte[w * outHeight * 3];
        for (int yy = 0; yy < outHeight; yy++)
        {
            int ymin = bounds[yy * 2], ymax = bounds[yy * 2 + 1], k = yy * ksize;
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    long ss = 1L << (PrecisionBits - 1);
                    for (int y = 0; y < ymax; y++) ss += src.Rgb[((y + ymin) * w + x) * 3 + c] * (long)kernel[k + y];
                    dst[(yy * w + x) * 3 + c] = Clip8(ss);
                }
        }
        return new RgbImage(w, outHeight, dst);
    }
}
