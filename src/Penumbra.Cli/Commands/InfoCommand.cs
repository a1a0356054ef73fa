using System.CommandLine;
using System.Text.Json;
using Penumbra.IO;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A model folder or a .safetensors file" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("info", "Show the components, parameter counts and dtypes of a model folder or checkpoint file") { path, json };
        cmd.SetAction(pr => Run(pr.GetRequiredValue(path), pr.GetValue(json)));
        return cmd;
    }

    private static int Run(string path, bool asJson)
    {
        var files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.safetensors", SearchOption.AllDirectories).Order().ToList()
            : File.Exists(path) ? new List<string> { path } : throw new FileNotFoundException($"{path}: no such file or folder");
        var rows = new List<(string File, int Tensors, long Parameters, string DTypes)>();
        foreach (var f in files)
        {
            using var st = SafetensorsFile.Open(f);
            rows.Add((Path.GetRelativePath(Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!, f),
                st.Keys.Count, st.Tensors.Sum(t => t.ElementCount),
                string.Join(",", st.Tensors.Select(t => t.DType).Distinct().Order())));
        }
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { file = r.File, tensors = r.Tensors, parameters = r.Parameters, dtypes = r.DTypes }),
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var table = new Table().AddColumns("file", "tensors", "parameters", "dtypes");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.File), r.Tensors.ToString(), r.Parameters.ToString("N0"), r.DTypes);
        AnsiConsole.Write(table);
        return 0;
    }
}
