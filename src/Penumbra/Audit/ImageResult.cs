using Penumbra.Imaging;

namespace Penumbra.Audit;

/// <summary>One generated image: its metrics (e.g. clip_score), attribute classes (e.g. gender -> woman), and
/// optionally the pixels and an uncertainty map to be written as PNG files.</summary>
public sealed record ImageResult(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Attributes,
    RgbImage? Image = null,
    RgbImage? UncertaintyMap = null);
