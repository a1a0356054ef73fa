using Penumbra.Imaging;
using static TorchSharp.torch;

namespace Penumbra.Toy;

/// <summary>
/// The toy world's exact checker (its stand-in for CLIP score). For an image and a prompt it detects
/// <list type="bullet">
/// <item>background: the palette background nearest to the median border colour;</item>
/// <item>foreground: see <see cref="ToyForeground"/> (none if nothing differs from the background by ≥ 50 RGB units);</item>
/// <item>colour: the palette colour nearest (RGB) to the mean colour of the foreground's core pixels;</item>
/// <item>position: the anchor nearest to the mask centroid;</item>
/// <item>shape: an <see cref="IToyShapeRecognizer"/> (default <see cref="ToyTemplateShapeRecognizer"/>; the clean
/// toy shape CNN plugs in through <c>ToyShapeCnnRecognizer</c>);</item>
/// <item>size: R = sqrt(area / Fill(shape)) against the geometric mean of the small and big half-extents.</item>
/// </list>
/// Score = (number of stated attributes whose detected value equals the stated one) / (number of stated attributes);
/// with no foreground only the background can be satisfied; a prompt stating nothing scores 1 if a foreground was
/// found, else 0. Unknown words do not count.
/// </summary>
public sealed class ToyChecker
{
    private readonly IToyShapeRecognizer shapes;

    public ToyChecker(IToyShapeRecognizer? shapeRecognizer = null) => shapes = shapeRecognizer ?? new ToyTemplateShapeRecognizer();

    public ToyDetection Detect(RgbImage image)
    {
        var fg = ToyForeground.Measure(image);
        var background = ToyPalette.NearestBackground(fg.BackgroundRgb.R, fg.BackgroundRgb.G, fg.BackgroundRgb.B);
        if (!fg.Found) return new ToyDetection(false, default, default, default, default, background) { CentroidX = 0.5, CentroidY = 0.5 };
        var shape = shapes.Recognize(image, fg);
        double radius = Math.Sqrt(fg.AreaPixels / ToyGeometry.Fill(shape)) / fg.Size;
        return new ToyDetection(true, shape, ToyPalette.NearestColor(fg.ForegroundRgb.R, fg.ForegroundRgb.G, fg.ForegroundRgb.B),
            ToyGeometry.NearestPosition(fg.CentroidX, fg.CentroidY), radius >= ToyGeometry.SizeThreshold ? ToySize.Big : ToySize.Small, background)
        {
            CentroidX = fg.CentroidX,
            CentroidY = fg.CentroidY,
            Radius = radius,
            AreaFraction = fg.AreaPixels / (fg.Size * fg.Size),
        };
    }

    public ToyCheckResult Check(RgbImage image, string prompt) => Check(image, ToyCaptionParser.Parse(prompt));

    /// <summary>Checks an image tensor [3,H,W] in [-1,1] (a generated sample).</summary>
    public ToyCheckResult Check(Tensor image, string prompt) => Check(ToyImages.FromTensor(image), ToyCaptionParser.Parse(prompt));

    public ToyCheckResult Check(RgbImage image, ToyPrompt prompt)
    {
        var d = Detect(image);
        var failed = new List<string>();
        void Judge<T>(T? stated, T detected, bool needsForeground, string name) where T : struct, Enum
        {
            if (stated is { } s && (needsForeground && !d.Found || !EqualityComparer<T>.Default.Equals(s, detected))) failed.Add(name);
        }
        Judge(prompt.Shape, d.Shape, true, "shape");
        Judge(prompt.Color, d.Color, true, "color");
        Judge(prompt.Position, d.Position, true, "position");
        Judge(prompt.Size, d.Size, true, "size");
        Judge(prompt.Background, d.Background, false, "background");
        int stated = prompt.StatedCount, satisfied = stated - failed.Count;
        double score = stated == 0 ? (d.Found ? 1 : 0) : (double)satisfied / stated;
        return new ToyCheckResult(score, stated, satisfied, prompt, d, failed);
    }
}
