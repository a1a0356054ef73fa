using System.Text.Json;

namespace Penumbra.Audit;

/// <summary>
/// The settings that determine an audit's results, stored as key/value rows: <c>format</c>, <c>seeds</c>,
/// <c>images</c>, <c>prompts.*</c> (what the prompt set is: file hash, columns, template, lists),
/// <c>scorer.*</c> (<see cref="IPromptScorer.Settings"/>) and <c>attributes.*</c> (attribute classes as JSON arrays).
/// A resume or merge with any difference is refused. The shard is stored separately.
/// </summary>
public static class RunConfig
{
    public const string FormatVersion = "penumbra-audit-1";

    public static SortedDictionary<string, string> Build(IReadOnlyDictionary<string, string> promptSettings, IReadOnlyList<long> seeds, int images, IPromptScorer scorer)
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatVersion,
            ["seeds"] = string.Join(",", seeds),
            ["images"] = images.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in promptSettings) config["prompts." + k] = v;
        foreach (var (k, v) in scorer.Settings) config["scorer." + k] = v;
        foreach (var (k, v) in scorer.AttributeClasses) config["attributes." + k] = JsonSerializer.Serialize(v);
        return config;
    }

    /// <summary>Human-readable differences between two configs (empty when equal).</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        var diffs = new List<string>();
        foreach (var key in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            expected.TryGetValue(key, out var a);
            actual.TryGetValue(key, out var b);
            if (a != b) diffs.Add($"{key}: '{a ?? "(absent)"}' vs '{b ?? "(absent)"}'");
        }
        return diffs;
    }

    /// <summary>Attribute classes recorded in a config.</summary>
    public static Dictionary<string, IReadOnlyList<string>> AttributeClasses(IReadOnlyDictionary<string, string> config) =>
        config.Where(p => p.Key.StartsWith("attributes.", StringComparison.Ordinal))
            .ToDictionary(p => p.Key["attributes.".Length..], p => (IReadOnlyList<string>)(JsonSerializer.Deserialize<List<string>>(p.Value) ?? new List<string>()));

    /// <summary>Seeds recorded in a config.</summary>
    public static List<long> Seeds(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue("seeds", out var s) && s.Length > 0 ? s.Split(',').Select(long.Parse).ToList() : new List<long>();
}
