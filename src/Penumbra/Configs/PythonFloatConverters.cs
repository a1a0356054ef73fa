using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Configs;

/// <summary>
/// Python's json module writes non-finite floats as the bare tokens <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>
/// (DPM-Solver configs have <c>"lambda_min_clipped": -Infinity</c>). <see cref="ConfigJson"/> rewrites each bare token
/// as a string carrying <see cref="Marker"/>; these converters read such strings (and plain "NaN" strings) as numbers
/// and write non-finite numbers back as bare tokens, so Python reads the saved file as it wrote it.
/// </summary>
internal static class PythonFloats
{
    /// <summary>A private-use character that no real config string starts with.</summary>
    public const string Marker = "\uE000py:";

    public static readonly string[] Tokens = { "-Infinity", "Infinity", "NaN" };

    public static bool TryParseToken(string s, out double value)
    {
        if (s.StartsWith(Marker, StringComparison.Ordinal)) s = s[Marker.Length..];
        switch (s)
        {
            case "NaN": value = double.NaN; return true;
            case "Infinity": value = double.PositiveInfinity; return true;
            case "-Infinity": value = double.NegativeInfinity; return true;
            default: value = 0; return false;
        }
    }

    public static double Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetDouble();
        if (reader.TokenType == JsonTokenType.String)
        {
            string s = reader.GetString()!;
            if (TryParseToken(s, out double v)) return v;
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v)) return v;
            throw new JsonException($"expected a number, got the string \"{s}\"");
        }
        throw new JsonException($"expected a number, got {reader.TokenType}");
    }

    public static void Write(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteRawValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
    }

    /// <summary>Writes a JSON value, turning marker strings back into bare tokens (used for extension data).</summary>
    public static void WriteElement(Utf8JsonWriter writer, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String when e.GetString()!.StartsWith(Marker, StringComparison.Ordinal) && TryParseToken(e.GetString()!, out double v):
                Write(writer, v);
                break;
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var p in e.EnumerateObject())
                {
                    writer.WritePropertyName(p.Name);
                    WriteElement(writer, p.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteElement(writer, item);
                writer.WriteEndArray();
                break;
            default:
                e.WriteTo(writer);
                break;
        }
    }
}

internal sealed class PythonDoubleConverter : JsonConverter<double>
{
    public override bool HandleNull => false;
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => PythonFloats.Read(ref reader);
    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => PythonFloats.Write(writer, value);
}

internal sealed class PythonSingleConverter : JsonConverter<float>
{
    public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => (float)PythonFloats.Read(ref reader);
    public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
    {
        if (float.IsFinite(value)) writer.WriteNumberValue(value);
        else PythonFloats.Write(writer, value);
    }
}

internal sealed class PythonJsonElementConverter : JsonConverter<JsonElement>
{
    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => JsonElement.ParseValue(ref reader);
    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => PythonFloats.WriteElement(writer, value);
}
