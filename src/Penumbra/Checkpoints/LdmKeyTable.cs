namespace Penumbra.Checkpoints;

/// <summary>
/// The key correspondence of one component between the original LDM layout and diffusers, in both directions: module
/// rules (<see cref="LdmRule"/>, matched on whole dot-separated segments, longest prefix first) plus exact keys (bare
/// tensors such as OpenCLIP's <c>positional_embedding</c>, and concatenated tensors). Keys are without the component
/// prefix. The same table converts a single file to diffusers and back, so both directions agree by construction.
/// </summary>
public sealed class LdmKeyTable
{
    private static readonly (string Original, string Diffusers)[] ResnetNames =
    {
        ("in_layers.0", "norm1"), ("in_layers.2", "conv1"), ("emb_layers.1", "time_emb_proj"),
        ("out_layers.0", "norm2"), ("out_layers.3", "conv2"), ("skip_connection", "conv_shortcut"),
    };

    private static readonly (string Original, string Diffusers)[] VaeResnetNames =
    {
        ("norm1", "norm1"), ("conv1", "conv1"), ("norm2", "norm2"), ("conv2", "conv2"), ("nin_shortcut", "conv_shortcut"),
    };

    private static readonly (string Original, string Diffusers)[] VaeAttentionNames =
    {
        ("norm", "group_norm"), ("q", "to_q"), ("k", "to_k"), ("v", "to_v"), ("proj_out", "to_out.0"),
    };

    private readonly Dictionary<string, LdmRule> _byOriginal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LdmRule> _byDiffusers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _exactOriginal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Original, int Part, int Parts)> _exactDiffusers = new(StringComparer.Ordinal);
    private int _maxDepth;

    public void Add(string original, string diffusers, LdmRuleKind kind = LdmRuleKind.Same)
    {
        var rule = new LdmRule(original, diffusers, kind);
        if (!_byOriginal.TryAdd(original, rule) || !_byDiffusers.TryAdd(diffusers, rule))
            throw new InvalidOperationException($"duplicate LDM rule {original} = {diffusers}");
        _maxDepth = Math.Max(_maxDepth, Math.Max(Depth(original), Depth(diffusers)));
    }

    /// <summary>An exact key; with several diffusers keys the original is their concatenation along dim 0.</summary>
    public void AddExact(string original, params string[] diffusers)
    {
        if (diffusers.Length == 0 || !_exactOriginal.TryAdd(original, diffusers))
            throw new InvalidOperationException($"duplicate or empty exact LDM key {original}");
        for (int i = 0; i < diffusers.Length; i++)
            if (!_exactDiffusers.TryAdd(diffusers[i], (original, i, diffusers.Length)))
                throw new InvalidOperationException($"diffusers key {diffusers[i]} mapped twice");
    }

    public IReadOnlyCollection<LdmRule> Rules => _byOriginal.Values;

    /// <summary>The diffusers key(s) of an original key, or null when the key is not part of the layout.</summary>
    public LdmKeyMatch? ToDiffusers(string original)
    {
        if (_exactOriginal.TryGetValue(original, out var parts))
            return new LdmKeyMatch(parts, parts.Length > 1 ? LdmTensorTransform.Concat : LdmTensorTransform.None);
        if (Find(original, _byOriginal) is not var (rule, rest)) return null;
        if (Rename(rule.Kind, rest, toDiffusers: true) is not var (inner, transform)) return null;
        return new LdmKeyMatch(new[] { rule.Diffusers + "." + inner }, transform);
    }

    /// <summary>The original key of a diffusers key, or null when it has none in the layout.</summary>
    public LdmOriginalMatch? ToOriginal(string diffusers)
    {
        if (_exactDiffusers.TryGetValue(diffusers, out var e))
            return new LdmOriginalMatch(e.Original, e.Parts > 1 ? LdmTensorTransform.Concat : LdmTensorTransform.None, e.Part, e.Parts);
        if (Find(diffusers, _byDiffusers) is not var (rule, rest)) return null;
        if (Rename(rule.Kind, rest, toDiffusers: false) is not var (inner, transform)) return null;
        return new LdmOriginalMatch(rule.Original + "." + inner, transform, 0, 1);
    }

    private (LdmRule Rule, string Remainder)? Find(string key, Dictionary<string, LdmRule> rules)
    {
        var segments = key.Split('.');
        for (int n = Math.Min(segments.Length - 1, _maxDepth); n >= 1; n--)
            if (rules.TryGetValue(string.Join('.', segments, 0, n), out var rule))
                return (rule, string.Join('.', segments, n, segments.Length - n));
        return null;
    }

    /// <summary>Renames the part of a key inside a module; null when the name is not one the module kind has.</summary>
    private static (string Inner, LdmTensorTransform Transform)? Rename(LdmRuleKind kind, string rest, bool toDiffusers)
    {
        var names = kind switch
        {
            LdmRuleKind.Resnet => ResnetNames,
            LdmRuleKind.VaeResnet => VaeResnetNames,
            LdmRuleKind.VaeAttention => VaeAttentionNames,
            _ => null,
        };
        if (names is null) return (rest, LdmTensorTransform.None);
        foreach (var (original, diffusers) in names)
        {
            string from = toDiffusers ? original : diffusers, to = toDiffusers ? diffusers : original;
            if (!rest.StartsWith(from + ".", StringComparison.Ordinal)) continue;
            string leaf = rest[(from.Length + 1)..];
            if (leaf.Contains('.')) return null;
            bool conv = kind == LdmRuleKind.VaeAttention && original != "norm" && leaf == "weight";
            return (to + "." + leaf, conv ? LdmTensorTransform.ConvToLinear : LdmTensorTransform.None);
        }
        return null;
    }

    private static int Depth(string prefix) => prefix.Count(c => c == '.') + 1;
}
