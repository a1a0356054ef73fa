namespace Penumbra.Audit;

/// <summary>An 8-bit RGB image, row-major, 3 bytes per pixel.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Rgb)
{
    public RgbImage Validate() => Rgb.Length == Width * Height * 3 && Width > 0 && Height > 0 ? this
        : throw new ArgumentException($"RGB image {Width}x{Height} needs {Width * Height * 3} bytes, got {Rgb.Length}");
}
