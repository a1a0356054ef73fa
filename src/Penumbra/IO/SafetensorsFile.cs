using System.Buffers.Binary;
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

    /// <summary>Opens <paramref name="path"/> (a link-text file is followed, see <see cref="FileLinks"/>) and validates
    /// its header; no tensor data is read. Any violation of the format gives one <see cref="CheckpointFormatException"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        RejectPickle(path);
        string target = FileLinks.Resolve(path);
        byte[] header;
        long length;
        using (var fs = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            // The opened file's length: FileInfo.Length of a symbolic link is the length of the link itself.
            length = fs.Length;
            if (length == 0) throw new CheckpointFormatException(path, "file is empty");
            if (length < 8) throw new CheckpointFormatException(path, $"file is {length} bytes, shorter than the 8-byte header length");
            Span<byte> lenBytes = stackalloc byte[8];
            fs.ReadExactly(lenBytes);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
            if (n > MaxHeaderBytes)
                throw HeaderError(path, lenBytes, $"header length {n} exceeds the limit of {MaxHeaderBytes} bytes");
            if ((long)n > length - 8)
                throw HeaderError(path, lenBytes, $"header length {n} runs past the end of the file ({length} bytes)");
            header = new byte[n];
            fs.ReadExactly(header);
            if (header.Length == 0 || header[0] != (byte)'{')
                throw HeaderError(path, lenBytes, "header does not start with '{'");
        }
        long dataStart = 8 + header.Length;
        var (tensors, metadata) = ParseHeader(path, header, length - dataStart);
        if (length == dataStart) return new SafetensorsFile(path, null, null, dataStart, tensors, metadata);
        MemoryMappedFile? map = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(target, FileMode.Open, null, length, MemoryMappedFileAccess.Read);
            var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new SafetensorsFile(path, map, view, dataStart, tensors, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            map?.Dispose();
            throw new IOException($"{path}: cannot map the file into memory: {e.Message}", e);
        }
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

    /// <summary>Largest block copied at once; tensors above 2 GB are copied in blocks of this size.</summary>
    internal const long CopyBlockBytes = 1L << 30;

    internal unsafe void CopyInto(SafetensorsTensorInfo info, torch.Tensor t, long blockBytes = CopyBlockBytes)
    {
        int elementSize = checked((int)(info.ByteLength / Math.Max(1, info.ElementCount)));
        long blockElements = Math.Max(1, blockBytes / elementSize);
        using var flat = t.view(-1);
        byte* basePtr = null;
        var handle = _view!.SafeMemoryMappedViewHandle;
        handle.AcquirePointer(ref basePtr);
        try
        {
            byte* src = basePtr + _view.PointerOffset + DataStart + info.Begin;
            for (long start = 0; start < info.ElementCount; start += blockElements)
            {
                long count = Math.Min(blockElements, info.ElementCount - start);
                using var block = flat.narrow(0, start, count);
                new ReadOnlySpan<byte>(src + start * elementSize, checked((int)(count * elementSize))).CopyTo(block.bytes);
            }
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

    /// <summary>An invalid header; if the file starts like a PyTorch checkpoint (zip local header of the current format,
    /// pickle PROTO opcode of the legacy one) the error says so instead.</summary>
    private static CheckpointFormatException HeaderError(string path, ReadOnlySpan<byte> first8, string reason)
    {
        bool zip = first8[0] == (byte)'P' && first8[1] == (byte)'K' && first8[2] == 3 && first8[3] == 4;
        bool pickle = first8[0] == 0x80 && first8[1] is >= 2 and <= 5;
        return zip || pickle
            ? new CheckpointFormatException(path, "file is a PyTorch pickle/zip checkpoint, not safetensors (not supported, pickles are never executed); convert it to safetensors first")
            : new CheckpointFormatException(path, reason);
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
            bool sawMetadata = false;
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (sawMetadata) throw new CheckpointFormatException(path, "__metadata__ appears twice in the header");
                    sawMetadata = true;
                    if (prop.Value.ValueKind != JsonValueKind.Object)
                        throw new CheckpointFormatException(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new CheckpointFormatException(path, $"__metadata__ value {Shown(m.Name)} is not a string");
                        if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                            throw new CheckpointFormatException(path, $"__metadata__ key {Shown(m.Name)} appears twice");
                    }
                    continue;
                }
                if (tensors.ContainsKey(prop.Name))
                    throw new CheckpointFormatException(path, $"tensor {Shown(prop.Name)} appears twice in the header");
                tensors[prop.Name] = ParseEntry(path, prop);
            }
            ValidateLayout(path, tensors.Values, dataLength);
            return (tensors, metadata);
        }
    }

    /// <summary>A name from the file as it appears in an error message: quoted, control characters escaped, at most 120 chars.</summary>
    internal static string Shown(string name)
    {
        var sb = new StringBuilder("'");
        foreach (char c in name.Length > 120 ? name[..120] : name)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        if (name.Length > 120) sb.Append('…');
        return sb.Append('\'').ToString();
    }

    private static SafetensorsTensorInfo ParseEntry(string path, JsonProperty prop)
    {
        string name = Shown(prop.Name);
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, $"tensor {name}: entry is not an object");
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in v.EnumerateObject())
            if (!fields.Add(f.Name))
                throw new CheckpointFormatException(path, $"tensor {name}: field {Shown(f.Name)} appears twice");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException(path, $"tensor {name}: missing or non-string dtype");
        string dtype = dt.GetString()!;
        if (!SafetensorsDType.TryParse(dtype, out var scalar, out int size))
            throw new CheckpointFormatException(path, $"tensor {name}: unknown or unsupported dtype {Shown(dtype)}");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new CheckpointFormatException(path, $"tensor {name}: missing shape");
        var shape = new List<long>();
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new CheckpointFormatException(path, $"tensor {name}: shape entry {Shown(d.GetRawText())} is not a non-negative integer");
            shape.Add(dim);
        }
        if (!v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new CheckpointFormatException(path, $"tensor {name}: data_offsets must be [begin, end]");
        var o = off.EnumerateArray().ToArray();
        if (o[0].ValueKind != JsonValueKind.Number || o[1].ValueKind != JsonValueKind.Number
            || !o[0].TryGetInt64(out long begin) || !o[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new CheckpointFormatException(path, $"tensor {name}: data_offsets {Shown(off.GetRawText())} are not 0 <= begin <= end");
        long elements = 1;
        try
        {
            foreach (var d in shape) elements = checked(elements * d);
            long expected = checked(elements * size);
            if (expected != end - begin)
                throw new CheckpointFormatException(path,
                    $"tensor {name}: {dtype} shape [{string.Join(",", shape)}] needs {expected} bytes but data_offsets span {end - begin}");
        }
        catch (OverflowException)
        {
            throw new CheckpointFormatException(path, $"tensor {name}: shape [{string.Join(",", shape)}] overflows");
        }
        return new SafetensorsTensorInfo(prop.Name, dtype, scalar, shape.ToArray(), begin, end);
    }

    private static void ValidateLayout(string path, IEnumerable<SafetensorsTensorInfo> tensors, long dataLength)
    {
        long cursor = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.End > dataLength)
                throw new CheckpointFormatException(path, $"tensor {Shown(t.Name)}: data_offsets [{t.Begin}, {t.End}] run past the data section ({dataLength} bytes)");
            if (t.Begin < cursor)
                throw new CheckpointFormatException(path, $"tensor {Shown(t.Name)}: data_offsets [{t.Begin}, {t.End}] overlap the previous tensor");
            if (t.Begin > cursor)
                throw new CheckpointFormatException(path, $"tensor {Shown(t.Name)}: gap in the data section before offset {t.Begin}");
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
