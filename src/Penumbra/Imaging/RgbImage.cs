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
    public static RgbImage FromTensor01(Tensor chw) => FromTensor(chw, offset: 0f, scale: 255f);

    /// <summary>
    /// From a [3,H,W] float tensor: each value v becomes clamp(round((v + offset) * scale), 0, 255), rounded half to even
    /// as torch.round does. The arithmetic runs here rather than as tensor ops with float operands: TorchSharp 0.107's
    /// implicit Scalars are left to the finalizer, and one collected mid-call fails the op ("Unknown scalar type", seen on CI).
    /// </summary>
    public static RgbImage FromTensor(Tensor chw, float offset, float scale)
    {
        if (chw.dim() != 3 || chw.shape[0] != 3) throw new ArgumentException($"expected an image tensor [3,H,W], got [{string.Join(",", chw.shape)}]", nameof(chw));
        int h = (int)chw.shape[1], w = (int)chw.shape[2], plane = h * w;
        float[] values;
        using (var t = chw.detach().to(ScalarType.Float32).cpu().contiguous())
            values = t.data<float>().ToArray();
        var rgb = new byte[plane * 3];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                rgb[i * 3 + c] = (byte)Math.Clamp(Math.Round((values[c * plane + i] + offset) * scale), 0, 255);
        return new RgbImage(w, h, rgb);
    }

    /// <summary>As a [3,H,W] float32 tensor in [-1,1] (the VAE's input range).</summary>
    public Tensor ToTensorMinus1To1()
    {
        using var scope = NewDisposeScope();
        var t = tensor(Rgb, ScalarType.Byte).reshape(Height, Width, 3).permute(2, 0, 1).to(ScalarType.Float32) / 127.5 - 1.0;
        return scope.MoveToOuter(t.contiguous());
    }
}
