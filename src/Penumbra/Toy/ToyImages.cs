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
    public static RgbImage FromTensor(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected an image tensor [3,H,W], got [{string.Join(",", image.shape)}]", nameof(image));
        int h = (int)image.shape[1], w = (int)image.shape[2];
        float[] chw;
        using (var values = image.detach().to(ScalarType.Float32).cpu().contiguous())
            chw = values.data<float>().ToArray();
        // The arithmetic runs here rather than as tensor ops with float operands: TorchSharp 0.107's implicit Scalars are
        // left to the finalizer and one collected mid-call fails the op ("Unknown scalar type", seen on CI).
        // Math.Round rounds half to even, as torch.round does.
        var rgb = new byte[h * w * 3];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < h * w; i++)
                rgb[i * 3 + c] = (byte)Math.Clamp(Math.Round((chw[c * h * w + i] + 1f) * 127.5f), 0, 255);
        return new RgbImage(w, h, rgb);
    }
}
