using Microsoft.Win32.SafeHandles;
using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Checkpoints;

/// <summary>
/// A safetensors file whose tensors are read with positioned reads (<c>pread</c>) straight into tensor memory instead of
/// being copied out of a memory map. File pages then stay in the page cache and never count towards the process's
/// resident memory, so loading a multi-gigabyte checkpoint costs the model's size, not the model plus the file.
/// The header is parsed and validated by <see cref="SafetensorsFile"/>.
/// </summary>
public sealed class StreamedSafetensors : ITensorSource, IDisposable
{
    private const long BlockBytes = 1L << 30;

    private readonly SafetensorsFile _header;
    private readonly SafeFileHandle _handle;

    private StreamedSafetensors(SafetensorsFile header, SafeFileHandle handle)
    {
        _header = header;
        _handle = handle;
    }

    public static StreamedSafetensors Open(string path)
    {
        var header = SafetensorsFile.Open(path);
        try
        {
            return new StreamedSafetensors(header, File.OpenHandle(FileLinks.Resolve(path), FileMode.Open, FileAccess.Read, FileShare.Read));
        }
        catch
        {
            header.Dispose();
            throw;
        }
    }

    public string Description => _header.Path;
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;
    public IEnumerable<string> Keys => _header.Keys;
    public bool Contains(string key) => _header.Contains(key);
    public long[] Shape(string key) => _header.Info(key).Shape;
    public torch.ScalarType DType(string key) => _header.Info(key).ScalarType;
    public SafetensorsTensorInfo Info(string key) => _header.Info(key);

    public torch.Tensor Load(string key, torch.ScalarType? dtype = null)
    {
        var info = _header.Info(key);
        var t = torch.empty(info.Shape, info.ScalarType);
        if (info.ByteLength > 0) Read(info, t);
        if (dtype is not { } d || d == info.ScalarType) return t;
        using (t) return t.to_type(d);
    }

    private void Read(SafetensorsTensorInfo info, torch.Tensor t)
    {
        int elementSize = checked((int)(info.ByteLength / Math.Max(1, info.ElementCount)));
        long blockElements = Math.Max(1, BlockBytes / elementSize);
        using var flat = t.view(-1);
        for (long start = 0; start < info.ElementCount; start += blockElements)
        {
            long count = Math.Min(blockElements, info.ElementCount - start);
            using var block = flat.narrow(0, start, count);
            var span = block.bytes;
            long offset = _header.DataStart + info.Begin + start * elementSize;
            while (span.Length > 0)
            {
                int n = RandomAccess.Read(_handle, span, offset);
                if (n <= 0) throw new CheckpointFormatException(_header.Path, $"tensor '{info.Name}': file ended while reading its data");
                span = span[n..];
                offset += n;
            }
        }
    }

    public void Dispose()
    {
        _handle.Dispose();
        _header.Dispose();
    }
}
