using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Configs;

/// <summary>An int or a list of ints in a config (e.g. <c>attention_head_dim</c>: 8 in SD 1.x, [5,10,20,20] in SD 2.x).
/// Equality compares the values and whether it was a scalar.</summary>
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

    public bool Equals(IntOrList? other) => other is not null && IsScalar == other.IsScalar && Values.SequenceEqual(other.Values);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(IsScalar);
        foreach (var v in Values) h.Add(v);
        return h.ToHashCode();
    }
}

internal sealed class IntOrListConverter : JsonConverter<IntOrList>
{
    public override IntOrList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return ReadInt(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"expected an integer or a list of integers, got {reader.TokenType}");
        var list = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"expected an integer in the list, got {reader.TokenType}");
            list.Add(ReadInt(ref reader));
        }
        return new IntOrList(list.ToArray());
    }

    private static int ReadInt(ref Utf8JsonReader reader) =>
        reader.TryGetInt32(out int v) ? v : throw new JsonException("expected a 32-bit integer");

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
