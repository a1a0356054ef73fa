using TorchSharp;

namespace Penumbra.IO;

/// <summary>One entry of a safetensors header: dtype, shape and byte range relative to the data section.</summary>
public sealed record SafetensorsTensorInfo(string Name, string DType, torch.ScalarType ScalarType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
