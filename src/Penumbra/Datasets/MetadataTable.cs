using System.Globalization;
using System.Text;

namespace Penumbra.Datasets;

/// <summary>
/// A metadata table read from a comma-separated file with a header (RFC 4180 quoting, one record per line) or a whitespace-separated file
/// (CelebA's original .txt lists). Every row keeps its 1-based line number, so a bad value is reported as
/// <c>file:line: column 'name': reason</c>.
/// </summary>
internal sealed class MetadataTable
{
    public string Path { get; }
    public string[] Header { get; }
    public List<(int Line, string[] Fields)> Rows { get; } = new();


    private MetadataTable(string path, string[] header)
    {
        Path = path;
        Header = header;
    }

    public static MetadataTable ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: metadata file not found");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0].Trim().Length == 0) throw new InvalidDataException($"{path}:1: empty file, expected a header line");
        var table = new MetadataTable(path, SplitCsv(path, 1, lines[0]));
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var fields = SplitCsv(path, i + 1, lines[i]);
            if (fields.Length != table.Header.Length)
                throw new InvalidDataException($"{path}:{i + 1}: {fields.Length} fields, the header has {table.Header.Length}");
            table.Rows.Add((i + 1, fields));
        }
        return table;
    }

    /// <summary>One RFC 4180 record on one line: comma-separated, fields optionally in double quotes ("" = a quote).</summary>
    private static string[] SplitCsv(string path, int line, string text)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new InvalidDataException($"{path}:{line}: unterminated quoted field {fields.Count + 1}");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(text[i++]);
                }
                if (i < text.Length && text[i] != ',') throw new InvalidDataException($"{path}:{line}: text after the closing quote of field {fields.Count + 1}");
            }
            else
                while (i < text.Length && text[i] != ',') sb.Append(text[i++]);
            fields.Add(sb.ToString().Trim());
            if (i >= text.Length) return fields.ToArray();
            i++; // the comma
        }
    }

    /// <summary>Whitespace-separated rows; <paramref name="headerLines"/> = 2 reads CelebA's list_attr_celeba.txt
    /// (a count line, then the attribute names, which name every column but the first).</summary>
    public static MetadataTable ReadWhitespace(string path, string[]? header, int headerLines, string firstColumn)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: metadata file not found");
        var lines = File.ReadAllLines(path);
        if (headerLines == 2)
        {
            if (lines.Length < 2) throw new InvalidDataException($"{path}: expected a count line and an attribute-name line");
            if (!int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
                throw new InvalidDataException($"{path}:1: '{lines[0].Trim()}' is not the image count");
            header = new[] { firstColumn }.Concat(Split(lines[1])).ToArray();
            var t = ReadRows(path, header, lines, 2);
            if (t.Rows.Count != count) throw new InvalidDataException($"{path}:1: says {count} images, the file lists {t.Rows.Count}");
            return t;
        }
        return ReadRows(path, header ?? throw new ArgumentNullException(nameof(header)), lines, headerLines);
    }

    private static MetadataTable ReadRows(string path, string[] header, string[] lines, int skip)
    {
        var table = new MetadataTable(path, header);
        for (int i = skip; i < lines.Length; i++)
        {
            var fields = Split(lines[i]);
            if (fields.Length == 0) continue;
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{path}:{i + 1}: {fields.Length} fields, expected {header.Length}");
            table.Rows.Add((i + 1, fields));
        }
        return table;
    }

    private static string[] Split(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public int Column(string name)
    {
        int i = Array.IndexOf(Header, name);
        if (i < 0)
        {
            string known = Header.Length <= 12 ? string.Join(", ", Header) : string.Join(", ", Header.Take(12)) + ", ...";
            throw new InvalidDataException($"{Path}: no column '{name}' (columns: {known})");
        }
        return i;
    }

    /// <summary>An integer cell that must be one of <paramref name="allowed"/>.</summary>
    public int Int(int row, int column, params int[] allowed)
    {
        var (line, fields) = Rows[row];
        string v = fields[column];
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int x) || (allowed.Length > 0 && !allowed.Contains(x)))
            throw new InvalidDataException($"{Path}:{line}: column '{Header[column]}': '{v}' is not one of {string.Join(", ", allowed)}");
        return x;
    }

    public string Text(int row, int column)
    {
        var (line, fields) = Rows[row];
        return fields[column].Length > 0 ? fields[column] : throw new InvalidDataException($"{Path}:{line}: column '{Header[column]}' is empty");
    }

    public int Line(int row) => Rows[row].Line;
}
