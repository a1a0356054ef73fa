namespace Penumbra.Audit;

/// <summary>One prompt of a prompt set: a stable id, the text, its group values (column name -> value, e.g.
/// gender -> female) and an optional label (true = out of distribution). <see cref="Line"/> is the source line
/// (1-based; 0 for generated prompts).</summary>
public sealed record PromptRecord(string Id, string Text, IReadOnlyDictionary<string, string> Groups, bool? OutOfDistribution, long Line = 0)
{
    public static PromptRecord Create(string id, string text, IReadOnlyDictionary<string, string>? groups = null, bool? outOfDistribution = null) =>
        new(id, text, groups ?? new Dictionary<string, string>(), outOfDistribution);
}
