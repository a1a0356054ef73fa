using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Checkpoints;

/// <summary>
/// One component of a single-file checkpoint seen under its diffusers keys: every tensor is read from the file on
/// demand, in its stored dtype unless another is asked for, and reshaped or split as the layout says. Original keys of
/// the component that the layout does not know are kept in <see cref="Unmapped"/> (a loader reports them).
/// </summary>
public sealed class ConvertedTensorSource : ITensorSource
{
    private sealed record Entry(string Stored, string Original, LdmTensorTransform Transform, int Part, int Parts);

    private readonly ITensorSource _file;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <param name="file">The whole single file.</param>
    /// <param name="prefix">The component prefix (e.g. <c>model.diffusion_model.</c>), used to name original keys.</param>
    /// <param name="stored">Original keys without the prefix → the key actually stored in the file (differs for EMA weights).</param>
    public ConvertedTensorSource(ITensorSource file, string component, string prefix, LdmKeyTable table, IReadOnlyDictionary<string, string> stored)
    {
        _file = file;
        Component = component;
        Prefix = prefix;
        Table = table;
        Description = $"{file.Description} ({component})";
        var unmapped = new List<string>();
        foreach (var (key, storedKey) in stored.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (table.ToDiffusers(key) is not { } match)
            {
                unmapped.Add(prefix + key);
                continue;
            }
            for (int i = 0; i < match.Diffusers.Count; i++)
                _entries[match.Diffusers[i]] = new Entry(storedKey, prefix + key, match.Transform, i, match.Diffusers.Count);
        }
        Unmapped = unmapped;
    }

    public string Component { get; }
    public string Prefix { get; }
    public LdmKeyTable Table { get; }
    public IReadOnlyList<string> Unmapped { get; }
    public string Description { get; }
    public IEnumerable<string> Keys => _entries.Keys;
    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>The original key a diffusers key is (or would be) read from, for messages.</summary>
    public string OriginalName(string diffusersKey) =>
        _entries.TryGetValue(diffusersKey, out var e) ? e.Stored
        : Table.ToOriginal(diffusersKey) is { } o ? Prefix + o.Original : "(no original key)";

    public long[] Shape(string key)
    {
        var e = Get(key);
        var s = _file.Shape(e.Stored);
        return e.Transform switch
        {
            LdmTensorTransform.ConvToLinear when s.Length == 4 => new[] { s[0], s[1] },
            LdmTensorTransform.Concat => new[] { s[0] / e.Parts }.Concat(s[1..]).ToArray(),
            _ => s,
        };
    }

    public torch.ScalarType DType(string key) => _file.DType(Get(key).Stored);

    public torch.Tensor Load(string key, torch.ScalarType? dtype = null)
    {
        var e = Get(key);
        var t = _file.Load(e.Stored, dtype);
        if (e.Transform == LdmTensorTransform.ConvToLinear && t.dim() == 4)
            using (t) return t.reshape(t.shape[0], t.shape[1]);
        if (e.Transform == LdmTensorTransform.Concat)
        {
            if (t.shape[0] % e.Parts != 0)
                throw new CheckpointFormatException(_file.Description, $"tensor '{e.Stored}' has {t.shape[0]} rows, not divisible into {e.Parts} parts");
            long rows = t.shape[0] / e.Parts;
            using (t) using (var part = t.narrow(0, e.Part * rows, rows)) return part.clone();
        }
        return t;
    }

    private Entry Get(string key) =>
        _entries.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"{Description}: no tensor for '{key}'");
}
