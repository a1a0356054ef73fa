using Penumbra.Audit;

namespace Penumbra.Cli.Commands;

/// <summary>
/// The scorers `penumbra audit run --scorer NAME` can use. A scorer is made from the common options
/// (<see cref="AuditScorerOptions"/>). Hidden scorers (the test scorer) work but are not listed in help.
/// </summary>
public static class AuditScorers
{
    private static readonly Dictionary<string, (bool Hidden, Func<AuditScorerOptions, IPromptScorer> Create)> Registry = new(StringComparer.OrdinalIgnoreCase)
    {
        [AuditFakeScorer.Name] = (true, o => new AuditFakeScorer(
            int.Parse(o.Extra.GetValueOrDefault("delay_ms", "0"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(o.Extra.GetValueOrDefault("image_size", "8"), System.Globalization.CultureInfo.InvariantCulture))),
        [Penumbra.Audit.Scoring.EmoeScorer.Name] = (false, AuditEmoeScorerFactory.Create),
    };

    public static IEnumerable<string> Listed => Registry.Where(r => !r.Value.Hidden).Select(r => r.Key).Order();

    public static void Register(string name, Func<AuditScorerOptions, IPromptScorer> create, bool hidden = false) => Registry[name] = (hidden, create);

    /// <summary>Throws the unknown-scorer error early, before prompts are read or a model is loaded.</summary>
    public static void CheckName(string name)
    {
        if (!Registry.ContainsKey(name))
            throw new ArgumentException($"--scorer '{name}': unknown scorer (available: {(Listed.Any() ? string.Join(", ", Listed) : "none")})");
    }

    public static IPromptScorer Create(string name, AuditScorerOptions options)
    {
        CheckName(name);
        return Registry[name].Create(options);
    }
}
