using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Penumbra.IO;

namespace Penumbra.Configs;

/// <summary>
/// Reads and writes diffusers / transformers JSON configs into records whose properties are the PascalCase of
/// the snake_case keys and whose initial values are diffusers' defaults (so a missing key gets the default).
/// Python's bare <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c> tokens are accepted; unknown keys are kept in the
/// record's <c>[JsonExtensionData]</c> dictionary, so they survive a save.
/// </summary>
public static class ConfigJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        o.Converters.Add(new IntOrListConverter());
        o.Converters.Add(new NullableIntOrListConverter());
        return o;
    }

    /// <summary>Rewrites Python's bare NaN / Infinity / -Infinity tokens as JSON strings outside string literals.</summary>
    public static string NormalizePythonJson(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        bool inString = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < text.Length) sb.Append(text[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') { inString = true; sb.Append(c); continue; }
            if (Matches(text, i, "-Infinity")) { sb.Append("\"-Infinity\""); i += 8; continue; }
            if (Matches(text, i, "Infinity")) { sb.Append("\"Infinity\""); i += 7; continue; }
            if (Matches(text, i, "NaN")) { sb.Append("\"NaN\""); i += 2; continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool Matches(string s, int i, string token) =>
        string.CompareOrdinal(s, i, token, 0, token.Length) == 0
        && (i == 0 || !char.IsLetterOrDigit(s[i - 1]))
        && (i + token.Length == s.Length || !char.IsLetterOrDigit(s[i + token.Length]));

    public static T Load<T>(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        try
        {
            return Parse<T>(File.ReadAllText(path)) ?? throw new CheckpointFormatException(path, "config is null");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"invalid config: {e.Message}", e);
        }
    }

    public static T Parse<T>(string json) =>
        JsonSerializer.Deserialize<T>(NormalizePythonJson(json), Options) ?? throw new JsonException("config is null");

    public static JsonObject LoadObject(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        try
        {
            return JsonNode.Parse(NormalizePythonJson(File.ReadAllText(path)))?.AsObject()
                   ?? throw new CheckpointFormatException(path, "config is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointFormatException(path, $"invalid config: {e.Message}", e);
        }
    }

    public static void Save<T>(string path, T config)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(config, Options));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>An int or a list of ints in a config (e.g. <c>attention_head_dim</c>: 8 in SD 1.x, [5,10,20,20] in SD 2.x).</summary>
[JsonConverter(typeof(IntOrListConverter))]
public sealed record IntOrList(int[] Values)
{
    public bool IsScalar { get; init; }
    public static implicit operator IntOrList(int v) => new(new[] { v }) { IsScalar = true };
    public static IntOrList Of(params int[] v) => new(v);

    /// <summary>The value for block <paramref name="index"/> of <paramref name="count"/> (a scalar applies to all).</summary>
    public int For(int index, int count)
    {
        if (IsScalar) return Values[0];
        if (Values.Length != count)
            throw new ArgumentException($"expected {count} values, config has {Values.Length}: [{string.Join(",", Values)}]");
        return Values[index];
    }

    public int[] Expand(int count) => Enumerable.Range(0, count).Select(i => For(i, count)).ToArray();
    public override string ToString() => IsScalar ? Values[0].ToString() : "[" + string.Join(", ", Values) + "]";
}

internal sealed class IntOrListConverter : JsonConverter<IntOrList>
{
    public override IntOrList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetInt32();
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected an integer or a list of integers");
        var list = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(reader.GetInt32());
        return new IntOrList(list.ToArray());
    }

    public override void Write(Utf8JsonWriter writer, IntOrList value, JsonSerializerOptions options)
    {
        if (value.IsScalar) { writer.WriteNumberValue(value.Values[0]); return; }
        writer.WriteStartArray();
        foreach (var v in value.Values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }
}

internal sealed class NullableIntOrListConverter : JsonConverter<IntOrList?>
{
    private readonly IntOrListConverter _inner = new();
    public override bool HandleNull => true;

    public override IntOrList? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : _inner.Read(ref reader, typeToConvert, options);

    public override void Write(Utf8JsonWriter writer, IntOrList? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else _inner.Write(writer, value, options);
    }
}
