using System.Text.Json;

namespace Penumbra.IO;

/// <summary>Reads a sharded checkpoint from its <c>*.safetensors.index.json</c> ({"weight_map": {key: shard file}}).</summary>
public static class ShardedSafetensors
{
    public static SafetensorsTensorSource Open(string indexPath)
    {
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"{indexPath}: file not found", indexPath);
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(indexPath, "index has no 'weight_map' object");
            weightMap = wm.EnumerateObject().ToDictionary(p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!
                    : throw new CheckpointFormatException(indexPath, $"weight_map entry '{p.Name}' is not a file name"));
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(indexPath, $"index is not valid JSON: {e.Message}", e);
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var shard in weightMap.Values.Distinct())
            {
                if (shard.Contains('/') || shard.Contains('\\'))
                    throw new CheckpointFormatException(indexPath, $"shard '{shard}' is not a plain file name");
                files.Add(SafetensorsFile.Open(Path.Combine(dir, shard)));
            }
            var source = new SafetensorsTensorSource(files, indexPath);
            foreach (var (key, shard) in weightMap)
                if (!source.Contains(key))
                    throw new CheckpointFormatException(indexPath, $"weight_map says '{key}' is in {shard}, but that shard has no such tensor");
            return source;
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }
}
