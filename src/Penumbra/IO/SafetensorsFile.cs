using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Penumbra.IO;

/// <summary>
/// A safetensors file opened over a memory map: the header is parsed and validated on open, tensors are read
/// lazily by name, so a 4 GB checkpoint never needs to sit in managed memory at once.
/// Format rules: https://github.com/huggingface/safetensors (8-byte little-endian header length, UTF-8 JSON header,
/// data offsets relative to the end of the header, contiguous and covering the data section exactly).
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long dataStart,
        Dictionary<string, SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        DataStart = dataStart;
        _tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }
    public long DataStart { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyCollection<string> Keys => _tensors.Keys;
    public IEnumerable<SafetensorsTensorInfo> Tensors => _tensors.Values;
    public bool Contains(string name) => _tensors.ContainsKey(name);

    public SafetensorsTensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        RejectPickle(path);
        long length = new FileInfo(path).Length;
        if (length < 8) throw new CheckpointFormatException(path, $"file is {length} bytes, shorter than the 8-byte header length");

        byte[] header;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            Span<byte> lenBytes = stackalloc byte[8];
            fs.ReadExactly(lenBytes);
            ulong n = BitConverter.ToUInt64(lenBytes);
            if (n > MaxHeaderBytes) throw new CheckpointFormatException(path, $"header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
            if ((long)n > length - 8) throw new CheckpointFormatException(path, $"header length {n} runs past the end of the file ({length} bytes)");
            header = new byte[n];
            fs.ReadExactly(header);
        }
        long dataStart = 8 + header.Length;
        var (tensors, metadata) = ParseHeader(path, header, length - dataStart);
        if (length == dataStart) return new SafetensorsFile(path, null, null, dataStart, tensors, metadata);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new SafetensorsFile(path, map, view, dataStart, tensors, metadata);
    }

    /// <summary>Reads one tensor (CPU, its stored dtype unless <paramref name="dtype"/> is given).</summary>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null)
    {
        var info = Info(name);
        var t = torch.empty(info.Shape, info.ScalarType);
        if (info.ByteLength > 0) CopyInto(info, t);
        if (dtype is { } d && d != info.ScalarType)
        {
            var converted = t.to_type(d);
            t.Dispose();
            t = converted;
        }
        if (device is not null && device.type != DeviceType.CPU)
        {
            var moved = t.to(device);
            t.Dispose();
            t = moved;
        }
        return t;
    }

    /// <summary>The raw stored bytes of one tensor (little-endian, as in the file).</summary>
    public byte[] ReadBytes(string name)
    {
        var info = Info(name);
        var bytes = new byte[info.ByteLength];
        if (bytes.Length > 0) _view!.ReadArray(DataStart + info.Begin, bytes, 0, bytes.Length);
        return bytes;
    }

    private unsafe void CopyInto(SafetensorsTensorInfo info, torch.Tensor t)
    {
        Span<byte> dst = t.bytes;
        byte* basePtr = null;
        var handle = _view!.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref basePtr);
        try
        {
            basePtr += _view.PointerOffset;
            new ReadOnlySpan<byte>(basePtr + DataStart + info.Begin, checked((int)info.ByteLength)).CopyTo(dst);
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    private static void RejectPickle(string path)
    {
        string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".bin" or ".ckpt" or ".pt" or ".pth" or ".pkl")
            throw new CheckpointFormatException(path, $"'{ext}' is a Python pickle checkpoint, which is not supported (pickles are never executed); convert it to safetensors first");
    }

    private static (Dictionary<string, SafetensorsTensorInfo>, IReadOnlyDictionary<string, string>) ParseHeader(
        string path, byte[] header, long dataLength)
    {
        string json;
        try
        {
            json = new UTF8Encoding(false, true).GetString(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new CheckpointFormatException(path, "header is not valid UTF-8", e);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.TrimEnd(' '), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException(path, "header is not a JSON object");
            var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new CheckpointFormatException(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new CheckpointFormatException(path, $"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(prop.Name))
                    throw new CheckpointFormatException(path, $"tensor '{prop.Name}' appears twice in the header");
                tensors[prop.Name] = ParseEntry(path, prop);
            }
            ValidateLayout(path, tensors.Values, dataLength);
            return (tensors, metadata);
        }
    }

    private static SafetensorsTensorInfo ParseEntry(string path, JsonProperty prop)
    {
        string name = prop.Name;
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"tensor '{name}': entry is not an object");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing or non-string dtype");
        string dtype = dt.GetString()!;
        if (!SafetensorsDType.TryParse(dtype, out var scalar, out int size))
            throw new CheckpointFormatException(path, $"tensor '{name}': unknown dtype '{dtype}'");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new CheckpointFormatException(path, $"tensor '{name}': missing shape");
        var shape = new List<long>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new CheckpointFormatException(path, $"tensor '{name}': shape entry {d.GetRawText()} is not a non-negative integer");
            shape.Add(dim);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets must be [begin, end]");
        var o = off.EnumerateArray().ToArray();
        if (o[0].ValueKind != JsonValueKind.Number || o[1].ValueKind != JsonValueKind.Number
            || !o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new CheckpointFormatException(path, $"tensor '{name}': data_offsets {off.GetRawText()} are not 0 <= begin <= end");
        long elements = 1;
        try
        {
            foreach (var d in shape) elements = checked(elements * d);
            long expected = checked(elements * size);
            if (expected != end - begin)
                throw new CheckpointFormatException(path,
                    $"tensor '{name}': {dtype} shape [{string.Join(",", shape)}] needs {expected} bytes but data_offsets span {end - begin}");
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}': shape [{string.Join(",", shape)}] overflows");
        }
        return new SafetensorsTensorInfo(name, dtype, scalar, shape.ToArray(), begin, end);
    }

    private static void ValidateLayout(string path, IEnumerable<SafetensorsTensorInfo> tensors, long dataLength)
    {
        long cursor = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.End > dataLength)
                throw new CheckpointFormatException(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] run past the data section ({dataLength} bytes)");
            if (t.Begin < cursor)
                throw new CheckpointFormatException(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] overlap the previous tensor");
            if (t.Begin > cursor)
                throw new CheckpointFormatException(path, $"tensor '{t.Name}': gap in the data section before offset {t.Begin}");
            cursor = t.End;
        }
        if (cursor != dataLength)
            throw new CheckpointFormatException(path, $"data section has {dataLength} bytes but tensors cover {cursor}");
    }

    public void Dispose()
    {
        _view?.Dispose();
        _map?.Dispose();
    }
}
