using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Penumbra.Audit;

/// <summary>Canonical JSON for the score, group and attribute maps stored in the audit database: keys sorted
/// ordinally, doubles in round-trip form, NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
/// Equal maps give byte-equal text, so databases can be compared row by row.</summary>
public static class ScoreJson
{
    public static string Write(IReadOnlyDictionary<string, double> values)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (double.IsFinite(value)) w.WriteNumber(key, value);
                else w.WriteString(key, value.ToString(CultureInfo.InvariantCulture));
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string Write(IReadOnlyDictionary<string, string> values)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(key, value);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static Dictionary<string, double> ReadDoubles(string json)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject())
            result[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble()
                : double.Parse(p.Value.GetString() ?? "NaN", CultureInfo.InvariantCulture);
        return result;
    }

    public static Dictionary<string, string> ReadStrings(string json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject()) result[p.Name] = p.Value.GetString() ?? "";
        return result;
    }
}
