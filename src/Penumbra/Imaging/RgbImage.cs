using static TorchSharp.torch;

namespace Penumbra.Imaging;

/// <summary>An 8-bit RGB image, row-major, 3 bytes per pixel.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    public byte this[int x, int y, int c] => Rgb[(y * Width + x) * 3 + c];

    public static RgbImage Load(string path)
    {
        var (w, h, rgb, _) = PngCodec.Read(path);
        return new RgbImage(w, h, rgb);
    }

    public void Save(string path, IReadOnlyDictionary<string, string>? text = null) => PngCodec.Write(path, Width, Height, Rgb, text);

    /// <summary>From a [3,H,W] float tensor in [0,1] (values are clamped and rounded, as diffusers' numpy_to_pil).</summary>
    public static RgbImage FromTensor01(Tensor chw)
    {
        if (chw.dim() != 3 || chw.shape[0] != 3) throw new ArgumentException($"expected [3,H,W], got [{string.Join(",", chw.shape)}]");
        using var scope = NewDisposeScope();
        var bytes = (chw.detach().to(ScalarType.Float32).cpu().clamp(0, 1) * 255).round().to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        return new RgbImage((int)chw.shape[2], (int)chw.shape[1], bytes.bytes.ToArray());
    }

    /// <summary>As a [3,H,W] float32 tensor in [-1,1] (the VAE's input range).</summary>
    public Tensor ToTensorMinus1To1()
    {
        using var scope = NewDisposeScope();
        var t = tensor(Rgb, ScalarType.Byte).reshape(Height, Width, 3).permute(2, 0, 1).to(ScalarType.Float32) / 127.5 - 1.0;
        return scope.MoveToOuter(t.contiguous());
    }
}
