using System.Security.Cryptography;
using System.Text;

namespace Penumbra.Audit;

/// <summary>
/// Where a run's prompts come from: a prompt-set file or a template over value lists. <see cref="Settings"/>
/// identify it for the run config (the file's SHA-256 and reading options, or the template and its lists' hashes;
/// never the path, so shards on different machines agree). <see cref="Read"/> streams it anew on every call.
/// </summary>
public sealed class PromptSource
{
    private readonly Func<Action<BadRow>?, IEnumerable<PromptRecord>> read;

    public IReadOnlyDictionary<string, string> Settings { get; }

    private PromptSource(IReadOnlyDictionary<string, string> settings, Func<Action<BadRow>?, IEnumerable<PromptRecord>> read)
    {
        Settings = settings;
        this.read = read;
    }

    public IEnumerable<PromptRecord> Read(Action<BadRow>? reportBadRow = null) => read(reportBadRow);

    public static PromptSource FromFile(string path, PromptSetOptions options)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompt set not found");
        var format = options.Format == PromptSetFormat.Auto ? PromptSetReader.Detect(path) : options.Format;
        string hash;
        using (var stream = File.OpenRead(path)) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["sha256"] = hash,
            ["format"] = format.ToString().ToLowerInvariant(),
            ["on_bad_row"] = options.OnBadRow.ToString().ToLowerInvariant(),
        };
        if (format != PromptSetFormat.Text)
        {
            settings["text_column"] = options.TextColumn;
            settings["id_column"] = options.IdColumn;
            settings["label_column"] = options.LabelColumn;
            settings["group_columns"] = options.GroupColumns == null ? "*" : string.Join(",", options.GroupColumns);
        }
        return new PromptSource(settings, report => PromptSetReader.Read(path, options with { Format = format, ReportBadRow = report }));
    }

    public static PromptSource FromTemplate(string template, IReadOnlyDictionary<string, IReadOnlyList<string>>? lists = null)
    {
        var t = new PromptTemplate(template);
        var resolved = t.ResolveLists(lists);
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["template"] = template };
        foreach (var (name, values) in resolved)
            settings["list." + name] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", values))));
        return new PromptSource(settings, _ => t.Expand(resolved));
    }
}
