using System.Text.Json;

namespace Penumbra.IO;

/// <summary>Reads a sharded checkpoint from its <c>*.safetensors.index.json</c> (<c>{"metadata": {...}, "weight_map":
/// {key: shard file}}</c>). The index and the shards must agree exactly: every listed key in its listed shard,
/// every shard tensor listed.</summary>
public static class ShardedSafetensors
{
    public static SafetensorsTensorSource Open(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"{indexPath}: file not found", indexPath);
        var weightMap = ReadWeightMap(indexPath);
        string dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var shard in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (shard.Length == 0 || shard.Contains('/') || shard.Contains('\\') || shard is "." or "..")
                    throw new CheckpointFormatException(indexPath, $"shard {SafetensorsFile.Shown(shard)} is not a plain file name");
                string shardPath = Path.Combine(dir, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointFormatException(indexPath, $"shard {SafetensorsFile.Shown(shard)} named in the weight_map does not exist");
                files.Add(SafetensorsFile.Open(shardPath));
            }
            foreach (var f in files)
                foreach (var k in f.Keys)
                    if (!weightMap.TryGetValue(k, out var listed))
                        throw new CheckpointFormatException(indexPath, $"shard {Path.GetFileName(f.Path)} holds tensor {SafetensorsFile.Shown(k)}, which the weight_map does not list");
                    else if (listed != Path.GetFileName(f.Path))
                        throw new CheckpointFormatException(indexPath, $"weight_map puts {SafetensorsFile.Shown(k)} in {listed}, but it is stored in {Path.GetFileName(f.Path)}");
            var source = new SafetensorsTensorSource(files, indexPath);
            foreach (var (key, shard) in weightMap)
                if (!source.Contains(key))
                    throw new CheckpointFormatException(indexPath, $"weight_map says {SafetensorsFile.Shown(key)} is in {shard}, but that shard has no such tensor");
            return source;
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(FileLinks.Resolve(indexPath)));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(indexPath, "index is not a JSON object");
            if (!doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(indexPath, "index has no 'weight_map' object");
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointFormatException(indexPath, $"weight_map entry {SafetensorsFile.Shown(p.Name)} is not a file name");
                if (!map.TryAdd(p.Name, p.Value.GetString()!))
                    throw new CheckpointFormatException(indexPath, $"weight_map lists {SafetensorsFile.Shown(p.Name)} twice");
            }
            if (map.Count == 0) throw new CheckpointFormatException(indexPath, "weight_map is empty");
            return map;
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, $"index is not valid JSON: {e.Message}", e);
        }
    }
}
