using Penumbra.Imaging;

namespace Penumbra.Debias;

/// <summary>One training pair: a prompt and its image, either in memory or a PNG file read when needed.</summary>
public sealed record DebiasExample(string Prompt, RgbImage? Image = null, string? ImagePath = null)
{
    public RgbImage Load() => Image ?? (ImagePath is not null ? RgbImage.Load(ImagePath)
        : throw new InvalidOperationException($"example \"{Prompt}\" has neither an image nor an image path"));
}
