using Penumbra.Imaging;
using static TorchSharp.torch;

namespace Penumbra.Toy;

/// <summary>Toy-world helpers on <see cref="RgbImage"/>: pixel tuples and [-1,1] tensor batches.</summary>
public static class ToyImages
{
    /// <summary>The (R, G, B) bytes of pixel (x, y).</summary>
    public static (byte R, byte G, byte B) Pixel(this RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return (image.Rgb[i], image.Rgb[i + 1], image.Rgb[i + 2]);
    }

    /// <summary>A float tensor [N,3,H,W] in [-1,1] (byte 0 → −1, 255 → 1) of images of one size.</summary>
    public static Tensor ToBatch(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images to batch", nameof(images));
        int w = images[0].Width, h = images[0].Height;
        var all = new byte[images.Count * w * h * 3];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Width != w || images[i].Height != h)
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, image 0 is {w}x{h}", nameof(images));
            Buffer.BlockCopy(images[i].Rgb, 0, all, i * w * h * 3, w * h * 3);
        }
        using var scope = NewDisposeScope();
        var t = tensor(all, new long[] { images.Count, h, w, 3 }).to(ScalarType.Float32);
        return scope.MoveToOuter(t.permute(0, 3, 1, 2).contiguous() / 127.5f - 1f);
    }

    /// <summary>The image of a tensor [3,H,W] in [-1,1] (a generated sample; clamped and rounded to bytes).</summary>
    public static RgbImage FromTensor(Tensor image) => RgbImage.FromTensor(image, offset: 1f, scale: 127.5f);
}
