using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Schedulers;

/// <summary>
/// A double written as Python's <c>json</c> writes it: non-finite values as bare <c>NaN</c> / <c>Infinity</c> /
/// <c>-Infinity</c> (diffusers saves <c>lambda_min_clipped: -Infinity</c> so), read from either form.
/// </summary>
internal sealed class PythonFloatConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return reader.GetDouble();
        return reader.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new JsonException($"expected a number, got '{s}'"),
        };
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteRawValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity", skipInputValidation: true);
    }
}
