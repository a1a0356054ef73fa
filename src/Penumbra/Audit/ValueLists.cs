using System.Reflection;

namespace Penumbra.Audit;

/// <summary>
/// Value lists for template slots: the lists shipped with Penumbra (embedded resources under src/Penumbra/Data) and
/// user list files (one value per line, '#' starts a comment line, blank lines skipped).
/// Built-in names: <c>occupation</c> (the 100 occupations of DebiasVL, train then test list, lower-cased as DebiasVL's
/// prompts use them), <c>occupation-train</c> (80), <c>occupation-test</c> (20), <c>gender</c> (male, female) and
/// <c>ethnicity</c> (the seven FairFace groups).
/// </summary>
public static class ValueLists
{
    public static IReadOnlyList<string> BuiltInNames { get; } = new[] { "occupation", "occupation-train", "occupation-test", "gender", "ethnicity" };

    public static bool IsBuiltIn(string name) => BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<string> BuiltIn(string name) => name.ToLowerInvariant() switch
    {
        "occupation" => BuiltIn("occupation-train").Concat(BuiltIn("occupation-test")).ToList(),
        "occupation-train" => Resource("occupations-debiasvl-train.txt").Select(o => o.ToLowerInvariant()).ToList(),
        "occupation-test" => Resource("occupations-debiasvl-test.txt").Select(o => o.ToLowerInvariant()).ToList(),
        "gender" => Resource("genders.txt"),
        "ethnicity" => Resource("ethnicities.txt"),
        _ => throw new KeyNotFoundException($"no built-in list '{name}' (built-in: {string.Join(", ", BuiltInNames)})"),
    };

    /// <summary>The shipped data file as written (comments removed), e.g. the DebiasVL list in its own spelling.</summary>
    public static IReadOnlyList<string> Resource(string fileName)
    {
        using var stream = typeof(ValueLists).Assembly.GetManifestResourceStream("Penumbra.Data." + fileName)
                           ?? throw new FileNotFoundException($"embedded data file {fileName} is missing from {typeof(ValueLists).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader, "Penumbra.Data." + fileName);
    }

    public static IReadOnlyList<string> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: list file not found");
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    private static List<string> Parse(TextReader reader, string source)
    {
        var values = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int line = 0;
        for (string? s = reader.ReadLine(); s != null; s = reader.ReadLine())
        {
            line++;
            var v = s.Trim();
            if (v.Length == 0 || v.StartsWith('#')) continue;
            if (!seen.Add(v)) throw new InvalidDataException($"{source}:{line}: duplicate value '{v}'");
            values.Add(v);
        }
        if (values.Count == 0) throw new InvalidDataException($"{source}: the list is empty");
        return values;
    }
}
