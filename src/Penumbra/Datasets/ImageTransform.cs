using SkiaSharp;
using TorchSharp;

namespace Penumbra.Datasets;

/// <summary>
/// Decodes an image file (JPEG, PNG, WebP, ... via SkiaSharp) to a normalised float32 tensor [3,Size,Size]:
/// resize the shorter side to <see cref="ResizeTo"/> (SkiaSharp medium quality: bilinear with mipmaps), centre-crop <see cref="Size"/>,
/// scale to [0,1], subtract <see cref="Mean"/>, divide by <see cref="Std"/> (torchvision's evaluation transform).
/// </summary>
public sealed record ImageTransform
{
    public int Size { get; init; } = 224;
    public int ResizeTo { get; init; } = 256;
    public float[] Mean { get; init; } = { 0.485f, 0.456f, 0.406f };
    public float[] Std { get; init; } = { 0.229f, 0.224f, 0.225f };

    public static ImageTransform ImageNet { get; } = new();

    public torch.Tensor Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image file not found");
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path}: not a decodable image");
        double scale = (double)ResizeTo / Math.Min(decoded.Width, decoded.Height);
        int w = Math.Max(Size, (int)Math.Round(decoded.Width * scale)), h = Math.Max(Size, (int)Math.Round(decoded.Height * scale));
        using var resized = decoded.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
            ?? throw new InvalidDataException($"{path}: cannot resize to {w}x{h}");
        int x0 = (w - Size) / 2, y0 = (h - Size) / 2;
        var chw = new float[3 * Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                var c = resized.GetPixel(x0 + x, y0 + y);
                int o = y * Size + x;
                chw[o] = (c.Red / 255f - Mean[0]) / Std[0];
                chw[Size * Size + o] = (c.Green / 255f - Mean[1]) / Std[1];
                chw[2 * Size * Size + o] = (c.Blue / 255f - Mean[2]) / Std[2];
            }
        return torch.tensor(chw, new long[] { 3, Size, Size });
    }
}
