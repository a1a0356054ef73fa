using System.Text;
using Penumbra.Audit;
using Penumbra.Imaging;
using Penumbra.Uncertainty;

namespace Penumbra.Cli.Commands;

/// <summary>
/// TEST SCORER, not a model: `--scorer fake` (hidden from help). Deterministic numbers from a hash of
/// (prompt text, seed, image index), shaped so that reports have something to show: <c>eu</c> falls with prompt length,
/// <c>router_entropy</c> is a noisy copy of it, <c>token_length</c> is the word count + 2 (start/end tokens), and per
/// image <c>clip_score</c> falls with eu and <c>gender</c> leans by occupation. Used by the kill-and-resume tests and
/// for trying the audit tooling without a model. An optional delay per work unit makes runs slow enough to interrupt.
/// </summary>
public sealed class AuditFakeScorer(int delayMilliseconds = 0, int imageSize = 8) : IPromptScorer
{
    public const string Name = "fake";

    public IReadOnlyDictionary<string, string> Settings { get; } = new SortedDictionary<string, string>
    {
        ["name"] = Name,
        ["version"] = "1",
        ["image_size"] = imageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; } =
        new Dictionary<string, IReadOnlyList<string>> { ["gender"] = new[] { "man", "woman" } };

    public IReadOnlyList<ScoringResult> Score(IReadOnlyList<ScoringRequest> batch, CancellationToken cancellationToken)
    {
        var results = new List<ScoringResult>(batch.Count);
        foreach (var (prompt, seed, images) in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (delayMilliseconds > 0) Thread.Sleep(delayMilliseconds);
            int words = prompt.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            double eu = 0.2 + 0.6 * Uniform(prompt.Text, seed, "eu") + 1.0 / (1 + words);
            var scores = new Dictionary<string, double>
            {
                [UncertaintyScoreNames.Eu] = eu,
                [UncertaintyScoreNames.RouterEntropy] = 0.5 * eu + 0.5 * Uniform(prompt.Text, seed, "router"),
                [UncertaintyScoreNames.TokenLength] = words + 2,
            };
            var imageResults = new List<ImageResult>(images);
            for (int k = 0; k < images; k++)
            {
                double clip = 0.34 - 0.08 * eu + 0.03 * (Uniform(prompt.Text, seed, "clip" + k) - 0.5);
                double leanMan = prompt.Groups.TryGetValue("occupation", out var occ) ? 0.3 + 0.4 * Uniform(occ, 0, "lean") : 0.5;
                string gender = Uniform(prompt.Text, seed, "gender" + k) < leanMan ? "man" : "woman";
                imageResults.Add(new ImageResult(
                    new Dictionary<string, double> { ["clip_score"] = clip },
                    new Dictionary<string, string> { ["gender"] = gender },
                    Image(prompt.Text, seed, k, 0), Image(prompt.Text, seed, k, 1)));
            }
            results.Add(new ScoringResult(scores, imageResults));
        }
        return results;
    }

    private RgbImage Image(string text, long seed, int index, int kind)
    {
        var rgb = new byte[imageSize * imageSize * 3];
        double r = Uniform(text, seed, $"r{index}{kind}"), g = Uniform(text, seed, $"g{index}{kind}"), b = Uniform(text, seed, $"b{index}{kind}");
        for (int y = 0; y < imageSize; y++)
            for (int x = 0; x < imageSize; x++)
            {
                int o = (y * imageSize + x) * 3;
                double t = (x + y) / (2.0 * Math.Max(1, imageSize - 1));
                rgb[o] = (byte)(255 * (kind == 1 ? t : r * (1 - t) + t * g));
                rgb[o + 1] = (byte)(255 * (kind == 1 ? t * 0.3 : g * (1 - t) + t * b));
                rgb[o + 2] = (byte)(255 * (kind == 1 ? 1 - t : b));
            }
        return new RgbImage(imageSize, imageSize, rgb);
    }

    /// <summary>A deterministic number in [0, 1) from FNV-1a of the inputs.</summary>
    private static double Uniform(string text, long seed, string salt) =>
        (ShardSpec.Fnv1a64($"{text}\u0001{seed}\u0001{salt}") >> 11) * (1.0 / (1UL << 53));

    public void Dispose() { }
}
