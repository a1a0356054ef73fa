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
        o.Converters.Add(new PythonDoubleConverter());
        o.Converters.Add(new PythonSingleConverter());
        o.Converters.Add(new PythonJsonElementConverter());
        return o;
    }

    /// <summary>Rewrites Python's bare NaN / Infinity / -Infinity tokens as JSON strings ("NaN", ...) outside string
    /// literals, for readers that hold raw JSON (<see cref="LoadObject"/>).</summary>
    public static string NormalizePythonJson(string text) => NormalizePythonJson(text, "");

    /// <summary>A number of a config read into a <see cref="JsonElement"/> (e.g. from <c>Extra</c>), including
    /// Python's non-finite tokens.</summary>
    public static double GetDouble(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble()
        : e.ValueKind == JsonValueKind.String && PythonFloats.TryParseToken(e.GetString()!, out double v) ? v
        : throw new InvalidOperationException($"config value {e.GetRawText()} is not a number");

    private static string NormalizePythonJson(string text, string prefix)
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
            var token = PythonFloats.Tokens.FirstOrDefault(t => Matches(text, i, t));
            if (token is not null)
            {
                sb.Append('"').Append(prefix).Append(token).Append('"');
                i += token.Length - 1;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool Matches(string s, int i, string token) =>
        string.CompareOrdinal(s, i, token, 0, token.Length) == 0
        && (i == 0 || !char.IsLetterOrDigit(s[i - 1]))
        && (i + token.Length == s.Length || !char.IsLetterOrDigit(s[i + token.Length]));

    /// <summary>Reads a config record; a missing file is a <see cref="FileNotFoundException"/>, anything unreadable a
    /// <see cref="CheckpointFormatException"/> naming the file. A link-text file is followed (<see cref="FileLinks"/>).</summary>
    public static T Load<T>(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        try
        {
            return Parse<T>(File.ReadAllText(FileLinks.Resolve(path))) ?? throw new CheckpointFormatException(path, "config is null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CheckpointFormatException(path, $"invalid config: {e.Message}", e);
        }
    }

    /// <summary>Reads a config record from JSON text (Python's bare NaN/Infinity allowed).</summary>
    public static T Parse<T>(string json) =>
        JsonSerializer.Deserialize<T>(NormalizePythonJson(json, PythonFloats.Marker), Options) ?? throw new JsonException("config is null");

    /// <summary>The JSON text of a config as Python writes it: non-finite numbers as bare NaN/Infinity/-Infinity.</summary>
    public static string Serialize<T>(T config) => JsonSerializer.Serialize(config, Options) + "\n";

    public static JsonObject LoadObject(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found", path);
        try
        {
            return JsonNode.Parse(NormalizePythonJson(File.ReadAllText(FileLinks.Resolve(path))))?.AsObject()
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
        File.WriteAllText(tmp, Serialize(config));
        File.Move(tmp, path, overwrite: true);
    }
}
