using System.Text.Json;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// Zero-shot attribute prompts for CLIP: attribute -> ordered (class, prompt) pairs; an image gets the class whose
/// prompt is most similar to it. Default: gender = man ("a photo of a man") / woman ("a photo of a woman"). A JSON
/// file gives others: <c>{"gender": {"man": "a photo of a man", "woman": "a photo of a woman"}, "age": {...}}</c>.
/// </summary>
public sealed record AttributePrompts(IReadOnlyDictionary<string, IReadOnlyList<(string Class, string Prompt)>> Attributes)
{
    public static AttributePrompts Default { get; } = new(new Dictionary<string, IReadOnlyList<(string, string)>>
    {
        ["gender"] = new[] { ("man", "a photo of a man"), ("woman", "a photo of a woman") },
    });

    public static AttributePrompts Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: attribute prompt file not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: expected an object of attributes, e.g. {{\"gender\": {{\"man\": \"a photo of a man\", \"woman\": \"a photo of a woman\"}}}}");
            var result = new Dictionary<string, IReadOnlyList<(string, string)>>(StringComparer.Ordinal);
            foreach (var attr in doc.RootElement.EnumerateObject())
            {
                if (attr.Value.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path}: attribute '{attr.Name}' must map class names to prompts");
                var classes = attr.Value.EnumerateObject().Select(c => c.Value.ValueKind == JsonValueKind.String && c.Value.GetString()!.Trim().Length > 0
                    ? (c.Name, c.Value.GetString()!)
                    : throw new InvalidDataException($"{path}: attribute '{attr.Name}', class '{c.Name}': the prompt must be a non-empty string")).ToList();
                if (classes.Count < 2) throw new InvalidDataException($"{path}: attribute '{attr.Name}' needs at least two classes");
                result[attr.Name] = classes;
            }
            if (result.Count == 0) throw new InvalidDataException($"{path}: no attributes");
            return new AttributePrompts(result);
        }
    }

    /// <summary>Canonical JSON of the prompts (for the run config).</summary>
    public string Describe() => JsonSerializer.Serialize(Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)
        .ToDictionary(a => a.Key, a => a.Value.Select(c => new[] { c.Class, c.Prompt }).ToArray()));
}
