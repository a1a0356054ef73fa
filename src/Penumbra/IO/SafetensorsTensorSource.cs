using TorchSharp;

namespace Penumbra.IO;

/// <summary>One or more safetensors files seen as one set of names (a single file or the shards of an index).</summary>
public sealed class SafetensorsTensorSource : ITensorSource, IDisposable
{
    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _owner = new(StringComparer.Ordinal);

    public SafetensorsTensorSource(IEnumerable<SafetensorsFile> files, string description)
    {
        _files = files.ToList();
        Description = description;
        foreach (var f in _files)
            foreach (var k in f.Keys)
                if (!_owner.TryAdd(k, f))
                    throw new CheckpointFormatException(f.Path, $"tensor '{k}' is also stored in {_owner[k].Path}");
    }

    public static SafetensorsTensorSource Open(string path) =>
        path.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase)
            ? ShardedSafetensors.Open(path)
            : new SafetensorsTensorSource(new[] { SafetensorsFile.Open(path) }, path);

    public string Description { get; }
    public IEnumerable<string> Keys => _owner.Keys;
    public bool Contains(string key) => _owner.ContainsKey(key);
    public long[] Shape(string key) => Owner(key).Info(key).Shape;
    public SafetensorsTensorInfo Info(string key) => Owner(key).Info(key);
    public torch.ScalarType DType(string key) => Owner(key).Info(key).ScalarType;
    public torch.Tensor Load(string key, torch.ScalarType? dtype = null) => Owner(key).Load(key, dtype);
    public IReadOnlyDictionary<string, string> Metadata => _files.Count == 1 ? _files[0].Metadata : new Dictionary<string, string>();

    private SafetensorsFile Owner(string key) =>
        _owner.TryGetValue(key, out var f) ? f : throw new KeyNotFoundException($"{Description}: no tensor named '{key}'");

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
