using System.Globalization;
using Penumbra.Imaging;
using Penumbra.Toy;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// The toy world's judge: quality = the exact <see cref="ToyChecker"/> score of the image against the prompt
/// (<c>checker_score</c>), plus <c>foreground</c> (1 when a shape was found) and <c>stated</c> (attributes the prompt
/// states); attributes = the detected <c>color</c> and <c>shape</c> of the foreground (left out when nothing was found),
/// so the report shows, e.g., how often colourless prompts come out red.
/// </summary>
public sealed class ToyImageJudge : IImageJudge
{
    public const string Quality = "checker_score";

    private readonly ToyChecker checker = new();

    public string QualityMetric => Quality;

    public IReadOnlyDictionary<string, string> Settings { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["judge"] = "toy-checker",
        ["judge_version"] = "1",
    };

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["color"] = Enum.GetValues<ToyColor>().Select(Name).ToList(),
        ["shape"] = Enum.GetValues<ToyShape>().Select(Name).ToList(),
    };

    public IReadOnlyList<ImageJudgement> Judge(string prompt, IReadOnlyList<RgbImage> images)
    {
        var parsed = ToyCaptionParser.Parse(prompt);
        return images.Select(image =>
        {
            var check = checker.Check(image, parsed);
            var metrics = new Dictionary<string, double>
            {
                [Quality] = check.Score,
                ["foreground"] = check.Detected.Found ? 1 : 0,
                ["stated"] = check.Stated,
            };
            var attributes = new Dictionary<string, string>();
            if (check.Detected.Found)
            {
                attributes["color"] = Name(check.Detected.Color);
                attributes["shape"] = Name(check.Detected.Shape);
            }
            return new ImageJudgement(metrics, attributes);
        }).ToList();
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLower(CultureInfo.InvariantCulture);

    public void Dispose() { }
}
