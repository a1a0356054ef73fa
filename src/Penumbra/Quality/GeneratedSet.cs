using Penumbra.Imaging;
using Penumbra.Toy;

namespace Penumbra.Quality;

/// <summary>
/// The images of one configuration: row r is prompt <see cref="PromptOf"/>[r] under one seed, with its checker verdict,
/// toy-FID features and (image-to-image) RMS distance to the input in [0, 1] pixel units.
/// </summary>
public sealed record GeneratedSet(IReadOnlyList<ToySample> Samples, int[] PromptOf, RgbImage[] Images, ToyCheckResult[] Checks,
    double[][] Features, double[]? InputDistance)
{
    /// <summary>Row indices per prompt.</summary>
    public int[][] RowsByPrompt() =>
        Enumerable.Range(0, Samples.Count).Select(p => Enumerable.Range(0, PromptOf.Length).Where(r => PromptOf[r] == p).ToArray()).ToArray();

    /// <summary>Root-mean-square difference of two images of one size, in [0, 1] pixel units.</summary>
    public static double Rms(RgbImage a, RgbImage b)
    {
        double sum = 0;
        for (int i = 0; i < a.Rgb.Length; i++)
        {
            double d = (a.Rgb[i] - b.Rgb[i]) / 255.0;
            sum += d * d;
        }
        return Math.Sqrt(sum / a.Rgb.Length);
    }
}
