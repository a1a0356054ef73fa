using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Penumbra.IO;

/// <summary>Writes tensors as safetensors: keys sorted, header padded with spaces to 8 bytes, written atomically
/// (a temporary file renamed into place). Sharded checkpoints follow Hugging Face's layout.</summary>
public static class SafetensorsWriter
{
    /// <summary>Bytes written per block, so tensors above 2 GB are written in pieces.</summary>
    private const long WriteBlockBytes = 1L << 28;

    public static void Save(string path, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (tensors.ContainsKey("__metadata__"))
            throw new ArgumentException($"{path}: '__metadata__' is reserved by the safetensors format and cannot name a tensor");
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        byte[] header = BuildHeader(names, tensors, metadata);

        string tmp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
                fs.Write(len);
                fs.Write(header);
                foreach (var name in names) WriteData(fs, tensors[name]);
                fs.Flush(true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as shards of at most <paramref name="maxShardBytes"/> data bytes each
    /// (a tensor larger than the limit gets a shard of its own): <c>{baseName}-00001-of-0000N.safetensors</c> and
    /// <c>{baseName}.safetensors.index.json</c> (<c>{"metadata": {"total_size"}, "weight_map"}</c>). As in
    /// transformers/diffusers, a checkpoint that fits one shard is written as the plain <c>{baseName}.safetensors</c>.
    /// Shards of an earlier save with the same base name are removed. Returns the file to open (index or single file).
    /// </summary>
    public static string SaveSharded(string dir, string baseName, IReadOnlyDictionary<string, torch.Tensor> tensors,
        long maxShardBytes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (maxShardBytes <= 0) throw new ArgumentException($"maxShardBytes must be positive, got {maxShardBytes}");
        Directory.CreateDirectory(dir);
        var shards = new List<List<string>>();
        long current = 0;
        foreach (var name in tensors.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            long bytes = ByteLength(tensors[name]);
            if (shards.Count == 0 || (current + bytes > maxShardBytes && current > 0))
            {
                shards.Add(new List<string>());
                current = 0;
            }
            shards[^1].Add(name);
            current += bytes;
        }

        string single = Path.Combine(dir, baseName + ".safetensors");
        string index = Path.Combine(dir, baseName + ".safetensors.index.json");
        var shardPattern = new Regex("^" + Regex.Escape(baseName) + @"-\d{5}-of-\d{5}\.safetensors$");
        var stale = Directory.EnumerateFiles(dir).Where(f => shardPattern.IsMatch(Path.GetFileName(f))).ToHashSet();
        if (shards.Count <= 1)
        {
            Save(single, tensors, metadata);
            File.Delete(index);
            foreach (var f in stale) File.Delete(f);
            return single;
        }

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string file = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Save(Path.Combine(dir, file), shards[i].ToDictionary(k => k, k => tensors[k]), metadata);
            stale.Remove(Path.Combine(dir, file));
            foreach (var k in shards[i]) weightMap[k] = file;
        }
        using (var buffer = new MemoryStream())
        {
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteStartObject("metadata");
                w.WriteNumber("total_size", tensors.Values.Sum(ByteLength));
                w.WriteEndObject();
                w.WriteStartObject("weight_map");
                foreach (var (k, f) in weightMap) w.WriteString(k, f);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            string tmp = index + ".tmp";
            File.WriteAllBytes(tmp, buffer.ToArray());
            File.Move(tmp, index, overwrite: true);
        }
        File.Delete(single);
        foreach (var f in stale) File.Delete(f);
        return index;
    }

    private static long ByteLength(torch.Tensor t) => t.numel() * SafetensorsDType.SizeOf(t.dtype);

    private static byte[] BuildHeader(List<string> names, IReadOnlyDictionary<string, torch.Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata.OrderBy(k => k.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                long bytes = ByteLength(t);
                w.WriteStartObject(name);
                w.WriteString("dtype", SafetensorsDType.NameOf(t.dtype));
                w.WriteStartArray("shape");
                foreach (var d in t.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteData(Stream fs, torch.Tensor tensor)
    {
        if (tensor.numel() == 0) return;
        using var scope = torch.NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().view(-1);
        long blockElements = Math.Max(1, WriteBlockBytes / SafetensorsDType.SizeOf(tensor.dtype));
        for (long start = 0; start < flat.numel(); start += blockElements)
            fs.Write(flat.narrow(0, start, Math.Min(blockElements, flat.numel() - start)).bytes);
    }
}
