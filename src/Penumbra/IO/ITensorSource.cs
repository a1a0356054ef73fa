using TorchSharp;

namespace Penumbra.IO;

/// <summary>Named tensors that can be read one at a time: a safetensors file, a sharded checkpoint,
/// a key-renaming view (single-file conversion, SegMoE experts) or an in-memory dictionary.</summary>
public interface ITensorSource
{
    /// <summary>Names the source in error messages (usually a file path).</summary>
    string Description { get; }
    IEnumerable<string> Keys { get; }
    bool Contains(string key);
    long[] Shape(string key);
    torch.ScalarType DType(string key);
    torch.Tensor Load(string key, torch.ScalarType? dtype = null);
}
