using static TorchSharp.torch;

namespace Penumbra.Training;

/// <summary>
/// Memoises a frozen text encoder per caption for training loops whose captions repeat (a finite grammar). Each new
/// caption is encoded alone, so a caption's states never depend on which others shared its batch or on whether the
/// run was resumed with an empty cache. The states are kept as managed float32 arrays: the cache owns no native tensors
/// and needs no disposal.
/// </summary>
public sealed class CachedCaptionEncoder
{
    private readonly Func<IReadOnlyList<string>, Tensor> _encode;
    private readonly Dictionary<string, float[]> _cache = new(StringComparer.Ordinal);
    private long[]? _shape;

    /// <param name="encode">Captions → float32 states [B, ...] (called with one caption at a time).</param>
    public CachedCaptionEncoder(Func<IReadOnlyList<string>, Tensor> encode) => _encode = encode;

    public int Count => _cache.Count;

    /// <summary>The states of <paramref name="captions"/> stacked in order, [B, ...] (a new tensor).</summary>
    public Tensor Encode(IReadOnlyList<string> captions)
    {
        if (captions.Count == 0) throw new ArgumentException("no captions to encode", nameof(captions));
        var rows = captions.Select(Lookup).ToArray();
        var data = new float[rows.Sum(r => r.Length)];
        for (int i = 0, offset = 0; i < rows.Length; offset += rows[i].Length, i++) Array.Copy(rows[i], 0, data, offset, rows[i].Length);
        return tensor(data, new[] { (long)captions.Count }.Concat(_shape!).ToArray());
    }

    private float[] Lookup(string caption)
    {
        if (_cache.TryGetValue(caption, out var states)) return states;
        using var scope = NewDisposeScope();
        var encoded = _encode(new[] { caption }).to(ScalarType.Float32).contiguous();
        _shape ??= encoded.shape.Skip(1).ToArray();
        if (!encoded.shape.Skip(1).SequenceEqual(_shape))
            throw new InvalidOperationException($"the encoder gave [{string.Join(",", encoded.shape)}] for '{caption}', earlier captions [1,{string.Join(",", _shape)}]");
        states = encoded.data<float>().ToArray();
        _cache[caption] = states;
        return states;
    }
}
