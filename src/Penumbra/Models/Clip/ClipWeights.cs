using Penumbra.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>Finding and strictly loading a transformers CLIP weight file (<c>model.safetensors</c>, or a sharded index).</summary>
internal static class ClipWeights
{
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>Buffers older checkpoints carry that our modules compute on the fly.</summary>
    public static readonly string[] OptionalKeys =
    {
        "text_model.embeddings.position_ids", "vision_model.embeddings.position_ids",
    };

    /// <summary>A 0-d <c>logit_scale</c> stored as <c>[1]</c> is read as 0-d.</summary>
    private static ITensorSource ScalarsAsStored(ITensorSource source) =>
        source.Contains(LogitScaleKey) && source.Shape(LogitScaleKey) is [1]
            ? new ReshapedTensorSource(source, new Dictionary<string, long[]> { [LogitScaleKey] = Array.Empty<long>() })
            : source;

    public const string LogitScaleKey = "logit_scale";

    public static SafetensorsTensorSource Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        string single = Path.Combine(folder, WeightsFile), index = Path.Combine(folder, IndexFile);
        if (File.Exists(single)) return SafetensorsTensorSource.Open(single);
        if (File.Exists(index)) return SafetensorsTensorSource.Open(index);
        string hint = File.Exists(Path.Combine(folder, "pytorch_model.bin")) ? " (only pytorch_model.bin, a pickle, which is not read)" : "";
        throw new FileNotFoundException($"{folder}: no {WeightsFile} or {IndexFile}{hint}", single);
    }

    /// <summary>Loads strictly (in <paramref name="dtype"/>), then moves to <paramref name="device"/> and sets eval mode.</summary>
    public static T Load<T>(T module, ITensorSource source, Device? device, ScalarType dtype) where T : nn.Module
    {
        if (!torch.is_floating_point(dtype)) throw new ArgumentException($"dtype {dtype} is not a floating-point type");
        if (dtype != ScalarType.Float32) module.to(dtype);
        StateDictLoader.Load(module, ScalarsAsStored(source), strict: true, OptionalKeys);
        if (device is not null) module.to(device);
        module.eval();
        return module;
    }
}
