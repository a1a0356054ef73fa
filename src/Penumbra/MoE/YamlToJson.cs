using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Penumbra.MoE;

/// <summary>Converts YAML nodes to JSON with the core types a YAML safe loader gives plain scalars (null, booleans,
/// integers, floats; everything else and every quoted scalar is a string), so unknown config keys survive into
/// <c>segmoe_config</c>.</summary>
internal static class YamlToJson
{
    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode s => Scalar(s),
        _ => throw new FormatException($"line {node.Start.Line}: unsupported YAML node"),
    };

    /// <summary>The text of a scalar, or null for YAML's null (<c>~</c>, <c>null</c>, empty).</summary>
    public static string? Text(YamlScalarNode s) => IsPlain(s) && IsNull(s.Value) ? null : s.Value ?? "";

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        string v = s.Value ?? "";
        if (!IsPlain(s)) return JsonValue.Create(v);
        if (IsNull(v)) return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    private static bool IsPlain(YamlScalarNode s) => s.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;

    private static bool IsNull(string? v) => v is null or "" or "~" or "null" or "Null" or "NULL";
}
