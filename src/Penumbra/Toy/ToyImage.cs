using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Toy;

/// <summary>An RGB image of the toy world: <see cref="Pixels"/> is row-major, 3 bytes (R, G, B) per pixel.</summary>
public sealed class ToyImage
{
    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public ToyImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        if (pixels.Length != width * height * 3)
            throw new ArgumentException($"{nameof(pixels)} holds {pixels.Length} bytes; a {width}x{height} RGB image needs {width * height * 3}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return (Pixels[i], Pixels[i + 1], Pixels[i + 2]); }
    }

    /// <summary>A float tensor [3,H,W] in [-1,1] (byte 0 → −1, 255 → 1), the diffusion models' pixel convention.</summary>
    public Tensor ToTensor()
    {
        using var scope = NewDisposeScope();
        var t = tensor(Pixels, new long[] { Height, Width, 3 }).to(ScalarType.Float32);
        return scope.MoveToOuter(t.permute(2, 0, 1).contiguous() / 127.5f - 1f);
    }

    /// <summary>A float tensor [N,3,H,W] in [-1,1] of images of one size.</summary>
    public static Tensor ToBatch(IReadOnlyList<ToyImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images to batch", nameof(images));
        int w = images[0].Width, h = images[0].Height;
        var all = new byte[images.Count * w * h * 3];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Width != w || images[i].Height != h)
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, image 0 is {w}x{h}", nameof(images));
            Buffer.BlockCopy(images[i].Pixels, 0, all, i * w * h * 3, w * h * 3);
        }
        using var scope = NewDisposeScope();
        var t = tensor(all, new long[] { images.Count, h, w, 3 }).to(ScalarType.Float32);
        return scope.MoveToOuter(t.permute(0, 3, 1, 2).contiguous() / 127.5f - 1f);
    }

    /// <summary>The image of a tensor [3,H,W] in [-1,1] (clamped and rounded to bytes).</summary>
    public static ToyImage FromTensor(Tensor image)
    {
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected an image tensor [3,H,W], got [{string.Join(",", image.shape)}]", nameof(image));
        using var scope = NewDisposeScope();
        var hwc = ((image.detach().to(ScalarType.Float32).cpu() + 1f) * 127.5f).clamp(0, 255).round().to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return new ToyImage((int)image.shape[2], (int)image.shape[1], hwc.data<byte>().ToArray());
    }
}
