using System.CommandLine;
using Penumbra.Audit;

namespace Penumbra.Cli.Commands;

/// <summary>`penumbra audit export`: the results as a flat CSV and/or Parquet table (one row per prompt, seed, image).</summary>
public static class AuditExportCommand
{
    public static Command Create()
    {
        var db = new Argument<string>("db") { Description = "The audit database" };
        var csv = new Option<string?>("--csv") { Description = "Write CSV here" };
        var parquet = new Option<string?>("--parquet") { Description = "Write Parquet here" };
        var cmd = new Command("export", "Export results to CSV and/or Parquet (image_index -1 rows hold the prompt-level scores)") { db, csv, parquet };
        cmd.SetAction(async (pr, ct) =>
        {
            string path = pr.GetRequiredValue(db);
            string? c = pr.GetValue(csv), p = pr.GetValue(parquet);
            if (c == null && p == null) throw new ArgumentException("give --csv FILE and/or --parquet FILE");
            if (c != null) Console.WriteLine($"{c}: {AuditExport.ToCsv(path, c)} rows");
            if (p != null) Console.WriteLine($"{p}: {await AuditExport.ToParquetAsync(path, p, ct)} rows");
            return 0;
        });
        return cmd;
    }
}
