using System.Text.Json;
using CsvHelper;

namespace Penumbra.Audit;

/// <summary>
/// Streams a prompt set from CSV/TSV (header row), JSONL (one object per line) or plain text (one prompt per
/// non-blank line). Ids come from the id column, else "L&lt;line&gt;". Malformed rows (empty prompt, wrong field count,
/// unparseable label, duplicate id, bad JSON) are reported with their line numbers through
/// <see cref="PromptSetOptions.ReportBadRow"/> and then skipped or rejected, per <see cref="PromptSetOptions.OnBadRow"/>.
/// Only the set of ids seen is kept in memory (to catch duplicates).
/// </summary>
public static class PromptSetReader
{
    public static PromptSetFormat Detect(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => PromptSetFormat.Csv,
        ".tsv" => PromptSetFormat.Tsv,
        ".jsonl" or ".ndjson" => PromptSetFormat.Jsonl,
        _ => PromptSetFormat.Text,
    };

    public static IEnumerable<PromptRecord> Read(string path, PromptSetOptions? options = null)
    {
        options ??= new PromptSetOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: prompt set not found");
        var format = options.Format == PromptSetFormat.Auto ? Detect(path) : options.Format;
        var state = new State(path, options);
        return format switch
        {
            PromptSetFormat.Csv => ReadDelimited(path, ',', state),
            PromptSetFormat.Tsv => ReadDelimited(path, '\t', state),
            PromptSetFormat.Jsonl => ReadJsonl(path, state),
            _ => ReadText(path, state),
        };
    }

    private static IEnumerable<PromptRecord> ReadText(string path, State state)
    {
        using var reader = new StreamReader(path);
        long line = 0;
        for (string? s = reader.ReadLine(); s != null; s = reader.ReadLine())
        {
            line++;
            if (string.IsNullOrWhiteSpace(s)) continue;
            var record = state.Make(line, null, s, null, new Dictionary<string, string>());
            if (record != null) yield return record;
        }
    }

    private static IEnumerable<PromptRecord> ReadDelimited(string path, char separator, State state)
    {
        var options = CsvReaderOptions.Default with
        {
            Separator = separator,
            HasHeader = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            OnMalformedRecord = m => state.Bad(m.LineNumber, m.Reason switch
            {
                CsvMalformedReason.FieldCountMismatch => "the field count differs from the header's",
                CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed",
                CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
                CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
                _ => $"malformed record ({m.Reason})",
            }),
        };
        using var csv = CsvReader.FromFile(path, options);
        var header = csv.Headers.Select(h => h.Trim()).ToArray();
        if (header.Length == 0) throw new InvalidDataException($"{path}: empty file (expected a header row)");
        int text = Array.FindIndex(header, h => h.Equals(state.Options.TextColumn, StringComparison.OrdinalIgnoreCase));
        if (text < 0) throw new InvalidDataException($"{path}: no '{state.Options.TextColumn}' column in the header ({string.Join(", ", header)})");
        int id = Array.FindIndex(header, h => h.Equals(state.Options.IdColumn, StringComparison.OrdinalIgnoreCase));
        int label = Array.FindIndex(header, h => h.Equals(state.Options.LabelColumn, StringComparison.OrdinalIgnoreCase));
        var groups = state.GroupColumns(header, text, id, label, path);
        while (csv.Read())
        {
            long line = csv.LineNumber;
            var g = new Dictionary<string, string>();
            foreach (var (name, index) in groups)
            {
                var v = csv.GetString(index).Trim();
                if (v.Length > 0) g[name] = v;
            }
            var record = state.Make(line, id >= 0 ? csv.GetString(id) : null, csv.GetString(text), label >= 0 ? csv.GetString(label) : null, g);
            if (record != null) yield return record;
        }
    }

    private static IEnumerable<PromptRecord> ReadJsonl(string path, State state)
    {
        using var reader = new StreamReader(path);
        long line = 0;
        for (string? s = reader.ReadLine(); s != null; s = reader.ReadLine())
        {
            line++;
            if (string.IsNullOrWhiteSpace(s)) continue;
            var record = ParseJsonLine(s, line, state);
            if (record != null) yield return record;
        }
    }

    private static PromptRecord? ParseJsonLine(string s, long line, State state)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(s); }
        catch (JsonException e)
        {
            state.Bad(line, $"invalid JSON ({e.Message.Split('.')[0]})");
            return null;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                state.Bad(line, "not a JSON object");
                return null;
            }
            string? text = null, id = null, label = null;
            var g = new Dictionary<string, string>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                string? value = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                    JsonValueKind.Null => null,
                    _ => "\0",
                };
                bool isText = p.Name.Equals(state.Options.TextColumn, StringComparison.OrdinalIgnoreCase);
                bool isId = p.Name.Equals(state.Options.IdColumn, StringComparison.OrdinalIgnoreCase);
                bool isLabel = p.Name.Equals(state.Options.LabelColumn, StringComparison.OrdinalIgnoreCase);
                bool isGroup = !isText && !isId && !isLabel && (state.Options.GroupColumns == null
                    || state.Options.GroupColumns.Contains(p.Name, StringComparer.OrdinalIgnoreCase));
                if (value == "\0" && (isText || isId || isLabel || isGroup))
                {
                    state.Bad(line, $"field '{p.Name}' is not a string or number");
                    return null;
                }
                if (isText) text = value;
                else if (isId) id = value;
                else if (isLabel) label = value;
                else if (isGroup && !string.IsNullOrWhiteSpace(value)) g[p.Name] = value.Trim();
            }
            if (text == null)
            {
                state.Bad(line, $"no '{state.Options.TextColumn}' field");
                return null;
            }
            return state.Make(line, id, text, label, g);
        }
    }

    private sealed class State(string file, PromptSetOptions options)
    {
        private readonly HashSet<string> ids = new(StringComparer.Ordinal);

        public PromptSetOptions Options { get; } = options;

        public List<(string Name, int Index)> GroupColumns(string[] header, int text, int id, int label, string path)
        {
            if (Options.GroupColumns != null)
                foreach (var name in Options.GroupColumns)
                    if (!header.Contains(name, StringComparer.OrdinalIgnoreCase))
                        throw new InvalidDataException($"{path}: group column '{name}' is not in the header ({string.Join(", ", header)})");
            return header.Select((h, i) => (h, i))
                .Where(c => c.i != text && c.i != id && c.i != label
                            && (Options.GroupColumns == null || Options.GroupColumns.Contains(c.h, StringComparer.OrdinalIgnoreCase)))
                .ToList();
        }

        public PromptRecord? Make(long line, string? id, string text, string? label, Dictionary<string, string> groups)
        {
            text = text.Trim();
            if (text.Length == 0) return Bad(line, "empty prompt");
            if (!PromptLabels.TryParse(label, out var ood)) return Bad(line, $"label '{label}' is not in/out (or id/ood, 0/1)");
            id = string.IsNullOrWhiteSpace(id) ? $"L{line}" : id.Trim();
            if (!ids.Add(id)) return Bad(line, $"duplicate id '{id}'");
            return new PromptRecord(id, text, groups, ood, line);
        }

        public PromptRecord? Bad(long line, string reason)
        {
            var row = new BadRow(file, line, reason);
            Options.ReportBadRow?.Invoke(row);
            if (Options.OnBadRow == BadRowPolicy.Fail) throw new InvalidDataException($"{row} (bad rows are rejected; skip them with the skip policy)");
            return null;
        }
    }
}
