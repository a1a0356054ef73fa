namespace Penumbra.Imaging;

/// <summary>PIL's resampling filters, numbered as <c>PIL.Image.Resampling</c> (the <c>resample</c> key of image
/// processor configs).</summary>
public enum PilResample
{
    Nearest = 0,
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}
