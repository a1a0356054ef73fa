using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Penumbra.Configs;
using Penumbra.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Penumbra.MoE;

/// <summary>
/// A SegMoE config: the YAML a user writes (<see cref="LoadYaml"/>) and the JSON stored as <c>segmoe_config</c> in a
/// built model's <c>unet/config.json</c> (<see cref="FromJson"/> / <see cref="ToJson"/>, keys in Python's sorted order).
/// Defaults are segmoe's: <c>num_experts_per_tok</c> 1, <c>moe_layers</c> <c>attn</c>, <c>type</c> <c>sdxl</c>,
/// <c>init</c> <c>hidden</c>. <c>seed</c> is our extension: <c>torch.manual_seed(seed)</c> before each expert's gate run.
/// Model paths are kept as written; <see cref="ResolvePath"/> resolves them against the YAML file's folder.
/// </summary>
public sealed record SegMoeConfig
{
    public const string JsonKey = "segmoe_config";

    public required string BaseModel { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? DownIdxEnd { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? DownIdxStart { get; init; }
    public required IReadOnlyList<SegMoeExpert> Experts { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Init { get; init; }
    public string MoeLayers { get; init; } = "attn";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? NumExperts { get; init; }
    public int NumExpertsPerTok { get; init; } = 1;
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Seed { get; init; }
    public string Type { get; init; } = "sdxl";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? UpIdxEnd { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? UpIdxStart { get; init; }

    /// <summary>Keys segmoe does not read (kept and written back, as segmoe stores the whole YAML dict).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>The folder relative model paths are resolved against (the YAML file's folder); null: the working directory.</summary>
    [JsonIgnore] public string? BaseDirectory { get; init; }

    /// <summary>The file the config was read from (names it in errors); null when built in code.</summary>
    [JsonIgnore] public string? SourcePath { get; init; }

    /// <summary><see cref="MoeLayers"/> parsed (validated on load).</summary>
    [JsonIgnore] public MoeLayers Layers => MoeModuleKinds.ParseLayers(MoeLayers) ?? throw new InvalidOperationException($"moe_layers: unknown value '{MoeLayers}'");

    /// <summary>The number of experts the model has: <see cref="NumExperts"/>, else the length of <see cref="Experts"/>.</summary>
    [JsonIgnore] public int ExpertCount => NumExperts ?? Experts.Count;

    /// <summary>Whether gates are computed from the experts' activations (<c>init: hidden</c>, the default) rather than left at
    /// the random initialisation of a new Linear layer.</summary>
    [JsonIgnore] public bool HiddenInit => Init is null or "hidden";

    /// <summary>An absolute path for a model path of the config (relative paths are taken from <see cref="BaseDirectory"/>).</summary>
    public string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory ?? Directory.GetCurrentDirectory(), path));

    /// <summary>Reads and validates a SegMoE YAML config; every problem is a <see cref="CheckpointFormatException"/> naming the
    /// file and the field (SDXL configs: <see cref="NotSupportedException"/>).</summary>
    public static SegMoeConfig LoadYaml(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: SegMoE config not found", path);
        JsonObject root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(FileLinks.Resolve(path))) stream.Load(reader);
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode map)
                throw new CheckpointFormatException(path, "a SegMoE config must be one YAML mapping (base_model, experts, ...)");
            root = (JsonObject)YamlToJson.Convert(map)!;
        }
        catch (Exception e) when (e is YamlException or InvalidCastException or FormatException)
        {
            throw new CheckpointFormatException(path, $"invalid YAML: {e.Message}", e);
        }
        return Parse(root, path, stored: false) with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)), SourcePath = path };
    }

    /// <summary>Reads the <c>segmoe_config</c> of a built model (<paramref name="source"/> names the file in errors).</summary>
    public static SegMoeConfig FromJson(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(source, $"{JsonKey} is not a JSON object");
        return Parse(JsonNode.Parse(element.GetRawText())!.AsObject(), source, stored: true) with { SourcePath = source };
    }

    /// <summary>The JSON stored as <c>segmoe_config</c>.</summary>
    public JsonElement ToJson()
    {
        var node = JsonSerializer.SerializeToNode(this, ConfigJson.Options)!.AsObject();
        var sorted = new JsonObject(node.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        return JsonSerializer.SerializeToElement(sorted, ConfigJson.Options);
    }

    /// <summary>This config with segmoe's block ranges for a UNet of <paramref name="downBlocks"/> / <paramref name="upBlocks"/>
    /// blocks (sd: down [0, n-1), up [1, n); sdxl: down [1, n), up [0, n-1)) and the number of experts actually built.</summary>
    public SegMoeConfig ForUnet(int downBlocks, int upBlocks) => Type == "sd"
        ? this with { DownIdxStart = 0, DownIdxEnd = downBlocks - 1, UpIdxStart = 1, UpIdxEnd = upBlocks, NumExperts = Experts.Count }
        : this with { DownIdxStart = 1, DownIdxEnd = downBlocks, UpIdxStart = 0, UpIdxEnd = upBlocks - 1, NumExperts = Experts.Count };

    private static readonly string[] KnownKeys =
    {
        "base_model", "num_experts", "num_experts_per_tok", "moe_layers", "type", "experts", "seed", "init",
        "down_idx_start", "down_idx_end", "up_idx_start", "up_idx_end",
    };

    private static SegMoeConfig Parse(JsonObject root, string source, bool stored)
    {
        CheckpointFormatException Bad(string field, string reason) => new(source, $"{field}: {reason}");

        if (root.ContainsKey("loras"))
            throw new NotSupportedException($"{source}: loras: LoRA experts are not supported (list full models under experts)");
        string baseModel = RequiredString(root, "base_model", source);
        string type = OptionalString(root, "type", source) ?? "sdxl";
        if (type == "sdxl")
            throw new NotSupportedException($"{source}: type: sdxl{(root.ContainsKey("type") ? "" : " (segmoe's default when type is absent)")} " +
                "is not supported yet; SD 1.x / 2.x models need type: sd");
        if (type != "sd") throw Bad("type", $"unknown value '{type}' (expected sd or sdxl)");

        string moeLayers = OptionalString(root, "moe_layers", source) ?? "attn";
        if (MoeModuleKinds.ParseLayers(moeLayers) is null) throw Bad("moe_layers", $"unknown value '{moeLayers}' (expected ff, attn or all)");

        if (root["experts"] is not JsonArray list) throw Bad("experts", root.ContainsKey("experts") ? "must be a list" : "missing (a list of source_model / positive_prompt / negative_prompt entries)");
        var experts = new List<SegMoeExpert>();
        for (int i = 0; i < list.Count; i++)
        {
            string field = $"experts[{i}]";
            if (list[i] is not JsonObject e) throw Bad(field, "must be a mapping with source_model, positive_prompt and negative_prompt");
            if (e.ContainsKey("loras")) throw new NotSupportedException($"{source}: {field}.loras: LoRA experts are not supported");
            experts.Add(new SegMoeExpert
            {
                SourceModel = RequiredString(e, "source_model", source, field + "."),
                PositivePrompt = RequiredString(e, "positive_prompt", source, field + "."),
                NegativePrompt = RequiredString(e, "negative_prompt", source, field + "."),
                Extra = Rest(e, new[] { "source_model", "positive_prompt", "negative_prompt" }),
            });
        }

        int? numExperts = OptionalInt(root, "num_experts", source);
        int builtExperts = stored ? numExperts ?? experts.Count : experts.Count;
        if (!stored && numExperts is int n && n != experts.Count)
            throw Bad("num_experts", $"{n}, but {experts.Count} experts are listed");
        if (builtExperts < (stored ? 1 : 2))
            throw Bad(stored ? "num_experts" : "experts", $"{builtExperts} expert(s); a mixture needs at least 2");
        int topK = OptionalInt(root, "num_experts_per_tok", source) ?? 1;
        if (topK < 1 || topK > builtExperts)
            throw Bad("num_experts_per_tok", $"{topK} experts per token with {builtExperts} experts (must be 1..{builtExperts})");

        long? seed = OptionalLong(root, "seed", source);
        var config = new SegMoeConfig
        {
            BaseModel = baseModel,
            Type = type,
            MoeLayers = moeLayers,
            Experts = experts,
            NumExperts = numExperts,
            NumExpertsPerTok = topK,
            Seed = seed,
            Init = OptionalString(root, "init", source),
            DownIdxStart = OptionalInt(root, "down_idx_start", source),
            DownIdxEnd = OptionalInt(root, "down_idx_end", source),
            UpIdxStart = OptionalInt(root, "up_idx_start", source),
            UpIdxEnd = OptionalInt(root, "up_idx_end", source),
            Extra = Rest(root, KnownKeys),
        };
        if (stored)
            foreach (var (key, value) in new[] { ("down_idx_start", config.DownIdxStart), ("down_idx_end", config.DownIdxEnd),
                         ("up_idx_start", config.UpIdxStart), ("up_idx_end", config.UpIdxEnd), ("num_experts", config.NumExperts) })
                if (value is null) throw Bad(key, $"missing from {JsonKey} (written by segmoe when it builds a model)");
        return config;
    }

    private static Dictionary<string, JsonElement>? Rest(JsonObject o, IEnumerable<string> known)
    {
        var skip = new HashSet<string>(known, StringComparer.Ordinal);
        var rest = o.Where(kv => !skip.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => JsonSerializer.SerializeToElement(kv.Value, ConfigJson.Options), StringComparer.Ordinal);
        return rest.Count == 0 ? null : rest;
    }

    /// <summary>A string field that must be present; model paths must also be non-empty (prompts may be "").</summary>
    private static string RequiredString(JsonObject o, string key, string source, string prefix = "")
    {
        var s = OptionalString(o, key, source, prefix) ?? throw new CheckpointFormatException(source, $"{prefix}{key}: missing");
        if (s.Length == 0 && !key.EndsWith("_prompt", StringComparison.Ordinal))
            throw new CheckpointFormatException(source, $"{prefix}{key}: empty");
        return s;
    }

    private static string? OptionalString(JsonObject o, string key, string source, string prefix = "")
    {
        var node = o[key];
        if (node is null) return null;
        return node.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => node.ToJsonString(),
            _ => throw new CheckpointFormatException(source, $"{prefix}{key}: expected a string, got {node.ToJsonString()}"),
        };
    }

    private static int? OptionalInt(JsonObject o, string key, string source)
    {
        long? v = OptionalLong(o, key, source);
        if (v is null) return null;
        if (v < int.MinValue || v > int.MaxValue) throw new CheckpointFormatException(source, $"{key}: {v} is out of range");
        return (int)v;
    }

    private static long? OptionalLong(JsonObject o, string key, string source)
    {
        var node = o[key];
        if (node is null) return null;
        if (node.GetValueKind() == JsonValueKind.Number && long.TryParse(node.ToJsonString(), out long l)) return l;
        throw new CheckpointFormatException(source, $"{key}: expected an integer, got {node.ToJsonString()}");
    }
}
