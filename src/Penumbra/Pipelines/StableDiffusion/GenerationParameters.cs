using System.Globalization;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>
/// Generation parameters in the text format A1111-style tools read from a PNG's <c>parameters</c> tEXt chunk:
/// <c>prompt</c>, then <c>Negative prompt: ...</c>, then one line of <c>Key: value</c> pairs.
/// </summary>
public sealed record GenerationParameters(string Prompt, string Negative, long Seed, int Steps, string Sampler,
    double GuidanceScale, int Width, int Height, string Model)
{
    public const string PngKeyword = "parameters";

    /// <summary>Extra key/value pairs appended to the settings line (e.g. the mid-block bypass schedule).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    public string ToA1111()
    {
        var settings = new List<string>
        {
            $"Steps: {Steps}", $"Sampler: {Sampler}", $"CFG scale: {GuidanceScale.ToString(CultureInfo.InvariantCulture)}",
            $"Seed: {Seed}", $"Size: {Width}x{Height}", $"Model: {Model}",
        };
        settings.AddRange(Extra.Select(kv => $"{kv.Key}: {Quote(kv.Value)}"));
        var text = Prompt;
        if (Negative.Length > 0) text += $"\nNegative prompt: {Negative}";
        return text + "\n" + string.Join(", ", settings);
    }

    // A1111 quotes values that contain the separators.
    private static string Quote(string v) => v.Contains(',') || v.Contains(':') ? "\"" + v.Replace("\"", "\\\"") + "\"" : v;
}
