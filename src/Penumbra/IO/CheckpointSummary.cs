namespace Penumbra.IO;

/// <summary>What a checkpoint holds, from its header(s) only: tensor count, parameter count (sum of element counts),
/// tensors per safetensors dtype, and the <c>__metadata__</c> of a single file.</summary>
public sealed record CheckpointSummary(
    string Path,
    int Tensors,
    long Parameters,
    IReadOnlyDictionary<string, int> DTypes,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Summarises a .safetensors file or a sharded <c>*.safetensors.index.json</c> without reading tensor data.</summary>
    public static CheckpointSummary Read(string path)
    {
        using var source = SafetensorsTensorSource.Open(path);
        return Of(source, path);
    }

    public static CheckpointSummary Of(SafetensorsTensorSource source, string path)
    {
        int tensors = 0;
        long parameters = 0;
        var dtypes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in source.Keys)
        {
            var info = source.Info(key);
            tensors++;
            parameters += info.ElementCount;
            dtypes[info.DType] = dtypes.GetValueOrDefault(info.DType) + 1;
        }
        return new CheckpointSummary(path, tensors, parameters, dtypes,
            new SortedDictionary<string, string>(source.Metadata.ToDictionary(), StringComparer.Ordinal));
    }
}
