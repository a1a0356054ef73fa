using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.IO;

namespace Penumbra.Configs;

/// <summary>
/// A diffusers pipeline folder's <c>model_index.json</c>: the pipeline class (<c>_class_name</c>), one
/// <c>[library, class]</c> pair per component (a folder of that name), and pipeline attributes
/// (<c>requires_safety_checker</c>, <c>_name_or_path</c>, ...) kept as they are. As in diffusers, a key is a component
/// when its value is a two-element list of strings or nulls; keys starting with <c>_</c> are private.
/// </summary>
public sealed record DiffusersPipelineIndex
{
    public const string FileName = "model_index.json";

    public required string ClassName { get; init; }
    public string? DiffusersVersion { get; init; }

    /// <summary>Components in file order (diffusers writes keys sorted).</summary>
    public IReadOnlyList<DiffusersComponentSpec> Components { get; init; } = Array.Empty<DiffusersComponentSpec>();

    /// <summary>Every other key, e.g. <c>requires_safety_checker</c> or <c>_name_or_path</c>; written back unchanged.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = new Dictionary<string, JsonElement>();

    public DiffusersComponentSpec? Component(string name) => Components.FirstOrDefault(c => c.Name == name);

    /// <summary>Reads <paramref name="path"/>: a pipeline folder or its <c>model_index.json</c>.</summary>
    public static DiffusersPipelineIndex Load(string path)
    {
        string file = Directory.Exists(path) ? Path.Combine(path, FileName) : path;
        if (!File.Exists(file))
            throw new FileNotFoundException($"{file}: not found ({path} is not a diffusers pipeline folder)", file);
        JsonObject obj = ConfigJson.LoadObject(file);
        try
        {
            return FromJson(obj);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException(file, e.Message, e);
        }
    }

    private static DiffusersPipelineIndex FromJson(JsonObject obj)
    {
        string? className = null, version = null;
        var components = new List<DiffusersComponentSpec>();
        var extra = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, node) in obj)
        {
            if (key == "_class_name")
            {
                className = node is JsonValue v && v.TryGetValue(out string? s) ? s
                    : throw new InvalidOperationException("_class_name is not a string");
                continue;
            }
            if (key == "_diffusers_version" && node is JsonValue dv && dv.TryGetValue(out string? ver))
            {
                version = ver;
                continue;
            }
            if (!key.StartsWith('_') && node is JsonArray { Count: 2 } pair && pair.All(IsStringOrNull))
            {
                components.Add(new DiffusersComponentSpec(key, StringOrNull(pair[0]), StringOrNull(pair[1])));
                continue;
            }
            extra[key] = JsonSerializer.SerializeToElement(node);
        }
        if (className is null) throw new InvalidOperationException("no _class_name (the pipeline class)");
        return new DiffusersPipelineIndex { ClassName = className, DiffusersVersion = version, Components = components, Extra = extra };
    }

    private static bool IsStringOrNull(JsonNode? n) => n is null || (n is JsonValue v && v.TryGetValue(out string? _));
    private static string? StringOrNull(JsonNode? n) => n?.GetValue<string>();

    /// <summary>Writes <c>model_index.json</c> into <paramref name="dir"/> with sorted keys, as diffusers does.</summary>
    public void Save(string dir)
    {
        var entries = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["_class_name"] = JsonValue.Create(ClassName),
        };
        if (DiffusersVersion is not null) entries["_diffusers_version"] = JsonValue.Create(DiffusersVersion);
        foreach (var c in Components) entries[c.Name] = new JsonArray(JsonValue.Create(c.Library), JsonValue.Create(c.ClassName));
        foreach (var (k, v) in Extra) entries[k] = JsonNode.Parse(v.GetRawText());
        var obj = new JsonObject();
        foreach (var (k, v) in entries) obj[k] = v;
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, FileName);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(tmp, path, overwrite: true);
    }
}
