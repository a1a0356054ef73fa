using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Models.Clip;

/// <summary>A tensor source that presents some keys in another shape with the same element count (CLIP's 0-d
/// <c>logit_scale</c> is stored as <c>[1]</c> by some writers).</summary>
internal sealed class ReshapedTensorSource(ITensorSource inner, IReadOnlyDictionary<string, long[]> shapes) : ITensorSource
{
    public string Description => inner.Description;
    public IEnumerable<string> Keys => inner.Keys;
    public bool Contains(string key) => inner.Contains(key);
    public long[] Shape(string key) => shapes.TryGetValue(key, out var s) ? s : inner.Shape(key);
    public torch.ScalarType DType(string key) => inner.DType(key);

    public torch.Tensor Load(string key, torch.ScalarType? dtype = null)
    {
        var t = inner.Load(key, dtype);
        if (!shapes.TryGetValue(key, out var s)) return t;
        using (t) return t.reshape(s);
    }
}
