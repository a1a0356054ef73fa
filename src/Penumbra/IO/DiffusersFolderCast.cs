using System.Text.Json.Nodes;
using Penumbra.Configs;
using TorchSharp;

namespace Penumbra.IO;

/// <summary>
/// A diffusers folder written again with its floating-point weights stored in another dtype (what
/// <c>pipe.to(torch.float16).save_pretrained(out)</c> gives): every file is copied (link-text files as their targets),
/// every safetensors file is rewritten with its floating-point tensors cast and its other tensors and metadata kept, and
/// the <c>total_size</c> of a sharded checkpoint's index is updated. Loading converts back to the compute dtype
/// (<see cref="Checkpoints.ComputeDType"/>), so a float16 copy of a float32 model computes with rounded weights.
/// One safetensors file is held in memory at a time.
/// </summary>
public static class DiffusersFolderCast
{
    public sealed record Result(int WeightFiles, long BytesBefore, long BytesAfter);

    public static Result Save(string source, string target, torch.ScalarType dtype)
    {
        if (!torch.is_floating_point(dtype)) throw new ArgumentException($"dtype {dtype} is not a floating-point type");
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"{source}: no such folder");
        if (!File.Exists(Path.Combine(source, DiffusersPipelineIndex.FileName)) && !File.Exists(Path.Combine(source, "config.json")))
            throw new CheckpointFormatException(source, $"not a diffusers folder (no {DiffusersPipelineIndex.FileName} or config.json)");
        string src = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source)), dst = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        if (dst == src || dst.StartsWith(src + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"{target}: the output folder must lie outside the input folder {source}");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new IOException($"{target}: the output folder exists and is not empty");

        int files = 0;
        long before = 0, after = 0;
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(source, file), to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            string from = FileLinks.Resolve(file);
            if (!file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                if (!file.EndsWith(".safetensors.index.json", StringComparison.OrdinalIgnoreCase)) File.Copy(from, to);
                continue;
            }
            before += new FileInfo(from).Length;
            sizes[to] = CastFile(from, to, dtype);
            after += new FileInfo(to).Length;
            files++;
        }
        foreach (string index in Directory.EnumerateFiles(source, "*.safetensors.index.json", SearchOption.AllDirectories))
            WriteIndex(FileLinks.Resolve(index), Path.Combine(target, Path.GetRelativePath(source, index)), sizes);
        return new Result(files, before, after);
    }

    /// <summary>Rewrites one file; returns the bytes of its tensor data.</summary>
    private static long CastFile(string from, string to, torch.ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        using var file = SafetensorsFile.Open(from);
        var tensors = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            tensors[info.Name] = file.Load(info.Name, torch.is_floating_point(info.ScalarType) ? dtype : null);
        var metadata = file.Metadata.Count > 0 ? file.Metadata : null;
        SafetensorsWriter.Save(to, tensors, metadata);
        return tensors.Values.Sum(t => t.NumberOfElements * t.ElementSize);
    }

    /// <summary>The index with <c>total_size</c> the sum of its shards' tensor bytes after the cast.</summary>
    private static void WriteIndex(string from, string to, IReadOnlyDictionary<string, long> sizes)
    {
        var index = ConfigJson.LoadObject(from);
        if (index["weight_map"] is JsonObject map && index["metadata"] is JsonObject meta && meta.ContainsKey("total_size"))
        {
            string dir = Path.GetDirectoryName(to)!;
            meta["total_size"] = map.Select(kv => kv.Value?.GetValue<string>()).Distinct()
                .Sum(shard => shard is not null && sizes.TryGetValue(Path.Combine(dir, shard), out long n) ? n : 0);
        }
        File.WriteAllText(to, index.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
