namespace Penumbra.Audit;

/// <summary>Parses the in/out-of-distribution label of a prompt: "in", "id", "in-distribution", "0", "false" are
/// in distribution; "out", "ood", "out-of-distribution", "1", "true" are out of distribution; empty means no label.</summary>
public static class PromptLabels
{
    private static readonly string[] In = { "in", "id", "in-distribution", "in_distribution", "0", "false" };
    private static readonly string[] Out = { "out", "ood", "out-of-distribution", "out_of_distribution", "1", "true" };

    public static bool TryParse(string? value, out bool? outOfDistribution)
    {
        outOfDistribution = null;
        var v = value?.Trim() ?? "";
        if (v.Length == 0) return true;
        if (In.Contains(v, StringComparer.OrdinalIgnoreCase)) { outOfDistribution = false; return true; }
        if (Out.Contains(v, StringComparer.OrdinalIgnoreCase)) { outOfDistribution = true; return true; }
        return false;
    }

    public static string Describe(bool? outOfDistribution) => outOfDistribution switch { true => "out", false => "in", null => "" };
}
