using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Penumbra.IO;

/// <summary>Writes tensors as safetensors: keys sorted, header padded with spaces to 8 bytes, written atomically.</summary>
public static class SafetensorsWriter
{
    public static void Save(string path, IReadOnlyDictionary<string, torch.Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
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
                long bytes = t.numel() * SafetensorsDType.SizeOf(t.dtype);
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
        var header = buffer.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' ');

        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(BitConverter.GetBytes((ulong)header.Count));
            fs.Write(header.ToArray());
            foreach (var name in names)
            {
                using var scope = torch.NewDisposeScope();
                var t = tensors[name].detach().cpu().contiguous();
                if (t.numel() > 0) fs.Write(t.bytes);
            }
            fs.Flush(true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
