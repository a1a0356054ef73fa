using System.Text.RegularExpressions;

namespace Penumbra.Audit;

/// <summary>
/// A prompt template with <c>{slot}</c> placeholders, expanded over value lists as a cartesian product
/// (first slot outermost). Each prompt gets the id <c>t&lt;n&gt;</c> (1-based position in that order) and the slot
/// values as its groups, so "a photo of a {gender} {occupation}" gives prompts grouped by gender and occupation.
/// </summary>
public sealed partial class PromptTemplate
{
    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_\-]*)\}")]
    private static partial Regex SlotPattern();

    public string Text { get; }
    public IReadOnlyList<string> Slots { get; }

    public PromptTemplate(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("the prompt template is empty");
        Text = text;
        Slots = SlotPattern().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        if (Slots.Count == 0) throw new ArgumentException($"template '{text}' has no {{slot}}");
    }

    /// <summary>Number of prompts the expansion yields.</summary>
    public long Count(IReadOnlyDictionary<string, IReadOnlyList<string>> lists) =>
        Slots.Aggregate(1L, (n, s) => n * ListFor(lists, s).Count);

    /// <summary>Lists for the slots: given ones first, else the built-in list of the slot's name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ResolveLists(IReadOnlyDictionary<string, IReadOnlyList<string>>? given)
    {
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var slot in Slots)
            lists[slot] = given != null && given.TryGetValue(slot, out var l) ? l
                : ValueLists.IsBuiltIn(slot) ? ValueLists.BuiltIn(slot)
                : throw new InvalidDataException($"template slot '{{{slot}}}' has no list: give one (--list {slot}=FILE) or use a built-in name ({string.Join(", ", ValueLists.BuiltInNames)})");
        return lists;
    }

    public IEnumerable<PromptRecord> Expand(IReadOnlyDictionary<string, IReadOnlyList<string>> lists)
    {
        var resolved = Slots.Select(s => ListFor(lists, s)).ToArray();
        var index = new int[Slots.Count];
        long n = 0;
        if (resolved.Any(l => l.Count == 0)) yield break;
        while (true)
        {
            var groups = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < Slots.Count; i++) groups[Slots[i]] = resolved[i][index[i]];
            var text = SlotPattern().Replace(Text, m => groups[m.Groups[1].Value]);
            yield return new PromptRecord($"t{++n}", text, groups, null);
            int k = Slots.Count - 1;
            while (k >= 0 && ++index[k] == resolved[k].Count) index[k--] = 0;
            if (k < 0) yield break;
        }
    }

    private static IReadOnlyList<string> ListFor(IReadOnlyDictionary<string, IReadOnlyList<string>> lists, string slot) =>
        lists.TryGetValue(slot, out var l) ? l : throw new InvalidDataException($"template slot '{{{slot}}}' has no list");
}
