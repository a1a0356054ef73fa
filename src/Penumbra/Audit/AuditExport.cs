using System.Globalization;
using CsvHelper;
using Parquet;
using Parquet.Schema;

namespace Penumbra.Audit;

/// <summary>Exports an audit database to CSV or Parquet in the <see cref="ExportLayout"/> (streamed; Parquet in row
/// groups of <see cref="ParquetRowGroupSize"/> rows). Missing values are empty cells / nulls.</summary>
public static class AuditExport
{
    public const int ParquetRowGroupSize = 50_000;

    public static long ToCsv(string databasePath, string csvPath)
    {
        using var db = AuditDatabase.Open(databasePath);
        var layout = ExportLayout.Of(db);
        long n = 0;
        string tmp = csvPath + ".tmp";
        using (var csv = CsvWriter.Create(File.Create(tmp), CsvWriterOptions.Default with { Injection = CsvInjection.None, NewLine = "\n" }))
        {
            foreach (var name in layout.ColumnNames()) csv.WriteField(name);
            csv.EndRecord();
            foreach (var row in ExportLayout.Rows(db))
            {
                csv.WriteField(row.PromptId);
                csv.WriteField(row.Seed.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.ImageIndex.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.Text);
                csv.WriteField(row.Label);
                foreach (var g in layout.Groups) csv.WriteField(row.Groups.GetValueOrDefault(g, ""));
                foreach (var s in layout.Scores) csv.WriteField(row.Scores.TryGetValue(s, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
                foreach (var a in layout.Attributes) csv.WriteField(row.Attributes.GetValueOrDefault(a, ""));
                csv.WriteField(row.ImagePath ?? "");
                csv.WriteField(row.MapPath ?? "");
                csv.EndRecord();
                n++;
            }
        }
        File.Move(tmp, csvPath, overwrite: true);
        return n;
    }

    public static async Task<long> ToParquetAsync(string databasePath, string parquetPath, CancellationToken cancellationToken = default)
    {
        using var db = AuditDatabase.Open(databasePath);
        var layout = ExportLayout.Of(db);
        var names = layout.ColumnNames();
        var fields = new List<DataField>
        {
            new DataField<string>("prompt_id"), new DataField<long>("seed"), new DataField<int>("image_index"),
            new DataField<string>("prompt"), new DataField<string>("label"),
        };
        fields.AddRange(layout.Groups.Select(g => (DataField)new DataField<string>("group_" + g, true)));
        fields.AddRange(layout.Scores.Select(s => (DataField)new DataField<double?>(s)));
        fields.AddRange(layout.Attributes.Select(a => (DataField)new DataField<string>("attr_" + a, true)));
        fields.Add(new DataField<string>("image_path", true));
        fields.Add(new DataField<string>("map_path", true));
        var schema = new ParquetSchema(fields);

        long n = 0;
        string tmp = parquetPath + ".tmp";
        await using (var stream = File.Create(tmp))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken))
        {
            var chunk = new List<ExportRow>(ParquetRowGroupSize);
            foreach (var row in ExportLayout.Rows(db))
            {
                chunk.Add(row);
                if (chunk.Count == ParquetRowGroupSize) { await WriteGroup(writer, fields, layout, chunk, cancellationToken); n += chunk.Count; chunk.Clear(); }
            }
            if (chunk.Count > 0 || n == 0) { await WriteGroup(writer, fields, layout, chunk, cancellationToken); n += chunk.Count; }
        }
        File.Move(tmp, parquetPath, overwrite: true);
        return n;
    }

    private static async Task WriteGroup(ParquetWriter writer, List<DataField> fields, ExportLayout layout, List<ExportRow> rows, CancellationToken ct)
    {
        using var group = writer.CreateRowGroup();
        int f = 0;
        await group.WriteAsync(fields[f++], rows.Select(r => r.PromptId).ToArray());
        await group.WriteAsync<long>(fields[f++], rows.Select(r => r.Seed).ToArray(), cancellationToken: ct);
        await group.WriteAsync<int>(fields[f++], rows.Select(r => r.ImageIndex).ToArray(), cancellationToken: ct);
        await group.WriteAsync(fields[f++], rows.Select(r => r.Text).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.Label).ToArray());
        foreach (var g in layout.Groups) await group.WriteAsync(fields[f++], rows.Select(r => r.Groups.GetValueOrDefault(g)).ToArray());
        foreach (var s in layout.Scores)
            await group.WriteAsync<double>(fields[f++], rows.Select(r => r.Scores.TryGetValue(s, out var v) ? v : (double?)null).ToArray(), cancellationToken: ct);
        foreach (var a in layout.Attributes) await group.WriteAsync(fields[f++], rows.Select(r => r.Attributes.GetValueOrDefault(a)).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.ImagePath).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.MapPath).ToArray());
    }
}
