using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.Configs;

namespace Penumbra.IO;

/// <summary>
/// A description of a model folder or checkpoint file, read from configs and safetensors headers only (no tensor data):
/// <list type="bullet">
/// <item><c>pipeline</c>: a diffusers folder with <c>model_index.json</c>: pipeline class and every component.</item>
/// <item><c>component</c>: one component folder (<c>config.json</c> / <c>scheduler_config.json</c> and weights).</item>
/// <item><c>file</c>: a .safetensors file or sharded index: tensors, parameters, dtypes, metadata.</item>
/// <item><c>folder</c>: any other folder: every .safetensors file below it.</item>
/// </list>
/// </summary>
public sealed record ModelInfo(
    string Kind,
    string Path,
    string? PipelineClass,
    IReadOnlyList<ComponentInfo> Components,
    IReadOnlyList<CheckpointSummary> Files)
{
    public const string SegMoEConfigKey = "segmoe_config";
    public const string GateKeyPart = ".gate.weight";

    /// <summary>Sum of the parameters of every component or file.</summary>
    public long TotalParameters =>
        Components.Sum(c => c.Weights?.Parameters ?? 0) + Files.Sum(f => f.Parameters);

    /// <summary>Describes <paramref name="path"/>; <paramref name="variant"/> (e.g. <c>fp16</c>) selects variant weight
    /// files in model folders.</summary>
    public static ModelInfo Inspect(string path, string? variant = null)
    {
        if (File.Exists(path))
        {
            string name = System.IO.Path.GetFileName(path);
            bool checkpoint = name.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                              || name.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase);
            if (!checkpoint && !IsPickleName(name))
                throw new CheckpointFormatException(path, "not a checkpoint: expected a .safetensors file or a sharded .safetensors.index.json");
            return new ModelInfo("file", path, null, Array.Empty<ComponentInfo>(), new[] { CheckpointSummary.Read(path) });
        }
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"{path}: no such file or folder", path);

        if (File.Exists(System.IO.Path.Combine(path, DiffusersPipelineIndex.FileName)))
        {
            var index = DiffusersPipelineIndex.Load(path);
            var components = index.Components.Where(c => c.IsPresent)
                .Select(c => Component(System.IO.Path.Combine(path, c.Name), c.Name, c.Library, c.ClassName, variant)).ToList();
            return new ModelInfo("pipeline", path, index.ClassName, components, Array.Empty<CheckpointSummary>());
        }
        if (IsComponentFolder(path, variant))
        {
            string name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path)));
            return new ModelInfo("component", path, null, new[] { Component(path, name, null, null, variant) }, Array.Empty<CheckpointSummary>());
        }
        var files = Directory.EnumerateFiles(path, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new CheckpointFormatException(path, "not a model folder: no model_index.json, config.json or .safetensors files");
        return new ModelInfo("folder", path, null, Array.Empty<ComponentInfo>(), files.Select(CheckpointSummary.Read).ToList());
    }

    private static bool IsPickleName(string name) =>
        System.IO.Path.GetExtension(name).ToLowerInvariant() is ".bin" or ".ckpt" or ".pt" or ".pth" or ".pkl";

    private static bool IsComponentFolder(string dir, string? variant) =>
        File.Exists(System.IO.Path.Combine(dir, "config.json")) || File.Exists(System.IO.Path.Combine(dir, "scheduler_config.json"))
        || DiffusersWeights.CandidateNames(variant).Any(n => File.Exists(System.IO.Path.Combine(dir, n)));

    /// <summary>A model component has a <c>config.json</c> or weight files; schedulers, tokenizers and feature
    /// extractors have neither and get no weights summary.</summary>
    private static ComponentInfo Component(string dir, string name, string? library, string? className, string? variant)
    {
        if (!Directory.Exists(dir)) return new ComponentInfo(name, library, className, null, null, "folder missing");
        string config = System.IO.Path.Combine(dir, "config.json");
        string schedulerConfig = System.IO.Path.Combine(dir, "scheduler_config.json");
        JsonObject? configObject = File.Exists(config) ? ConfigJson.LoadObject(config)
            : File.Exists(schedulerConfig) ? ConfigJson.LoadObject(schedulerConfig) : null;
        className ??= ClassFromConfig(configObject);

        bool hasWeights = File.Exists(config) || DiffusersWeights.CandidateNames(variant).Any(n => File.Exists(System.IO.Path.Combine(dir, n)));
        if (!hasWeights) return new ComponentInfo(name, library, className, null);

        string weightsPath = DiffusersWeights.Resolve(dir, variant);
        using var source = SafetensorsTensorSource.Open(weightsPath);
        var summary = CheckpointSummary.Of(source, weightsPath);
        SegMoEInfo? segmoe = null;
        if (configObject?[SegMoEConfigKey] is JsonObject moe)
            segmoe = SegMoE(configObject, moe, source, weightsPath);
        return new ComponentInfo(name, library, className, summary, segmoe);
    }

    private static string? ClassFromConfig(JsonObject? config)
    {
        if (config is null) return null;
        if (config["_class_name"] is JsonValue v && v.TryGetValue(out string? c)) return c;
        if (config["architectures"] is JsonArray { Count: > 0 } a && a[0] is JsonValue av && av.TryGetValue(out string? arch)) return arch;
        return null;
    }

    private static SegMoEInfo SegMoE(JsonObject config, JsonObject moe, SafetensorsTensorSource source, string weightsPath)
    {
        var gates = source.Keys.Where(k => k.Contains(GateKeyPart, StringComparison.Ordinal)).ToList();
        int? experts = Int(moe["num_experts"]);
        if (experts is null && gates.Count > 0) experts = (int)source.Shape(gates[0])[0];
        if (experts is null)
            throw new CheckpointFormatException(weightsPath, $"{SegMoEConfigKey} has no num_experts and the weights have no gate");
        foreach (var g in gates)
            if (source.Shape(g)[0] != experts)
                throw new CheckpointFormatException(weightsPath,
                    $"gate '{g}' has {source.Shape(g)[0]} rows but {SegMoEConfigKey}.num_experts is {experts}");
        return new SegMoEInfo(experts.Value, gates.Count, Int(moe["num_experts_per_tok"]));
    }

    private static int? Int(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i) ? i : null;
}
