using System.Text.Json;

namespace Penumbra.Debias;

/// <summary>
/// Reads (prompt, image) pairs for adapter training: a JSONL file of objects <c>{"prompt": ..., "image": "path.png"}</c>
/// (paths relative to the file's folder), or a folder holding such a <c>metadata.jsonl</c>, or a folder of PNGs each with
/// a caption file of the same name (<c>0001.png</c> + <c>0001.txt</c>). Bad lines are reported with their line numbers.
/// </summary>
public static class DebiasDataset
{
    public const string MetadataFile = "metadata.jsonl";

    public static IReadOnlyList<DebiasExample> Read(string path)
    {
        if (File.Exists(path)) return ReadJsonl(path);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such data file or folder");
        string meta = Path.Combine(path, MetadataFile);
        if (File.Exists(meta)) return ReadJsonl(meta);
        var examples = new List<DebiasExample>();
        foreach (var png in Directory.GetFiles(path, "*.png").Order(StringComparer.Ordinal))
        {
            string txt = Path.ChangeExtension(png, ".txt");
            if (!File.Exists(txt)) throw new FileNotFoundException($"{png}: no caption file {Path.GetFileName(txt)} beside it");
            examples.Add(new DebiasExample(File.ReadAllText(txt).Trim(), ImagePath: png));
        }
        if (examples.Count == 0) throw new ArgumentException($"{path}: no {MetadataFile} and no .png + .txt pairs");
        return examples;
    }

    private static IReadOnlyList<DebiasExample> ReadJsonl(string file)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var examples = new List<DebiasExample>();
        var problems = new List<string>();
        int line = 0;
        foreach (var text in File.ReadLines(file))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                string? prompt = root.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                string? image = root.TryGetProperty("image", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                if (prompt is null || image is null) { problems.Add($"line {line}: needs string fields \"prompt\" and \"image\""); continue; }
                string full = Path.Combine(folder, image);
                if (!File.Exists(full)) { problems.Add($"line {line}: image {image} not found"); continue; }
                examples.Add(new DebiasExample(prompt, ImagePath: full));
            }
            catch (JsonException e) { problems.Add($"line {line}: not JSON ({e.Message})"); }
        }
        if (problems.Count > 0) throw new InvalidDataException($"{file}: {problems.Count} bad line(s):\n  " + string.Join("\n  ", problems.Take(20)));
        if (examples.Count == 0) throw new InvalidDataException($"{file}: no examples");
        return examples;
    }
}
