using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Penumbra.IO;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra info &lt;path&gt;</c>: pipeline class, components, classes, tensor and parameter counts, dtypes
/// (and SegMoE experts / MoE layers / top-k) of a model folder, or tensors, parameters, dtypes and metadata of a file.</summary>
public static class InfoCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A diffusers model folder, a component folder, a .safetensors file or a sharded .safetensors.index.json" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var variant = new Option<string?>("--variant") { Description = "Weight variant of a model folder, e.g. fp16 (diffusion_pytorch_model.fp16.safetensors)" };
        var cmd = new Command("info", "Show the components, classes, parameter counts and dtypes of a model folder or checkpoint file") { path, json, variant };
        cmd.SetAction(pr => Run(pr.GetRequiredValue(path), pr.GetValue(json), pr.GetValue(variant)));
        return cmd;
    }

    private static int Run(string path, bool asJson, string? variant)
    {
        var info = ModelInfo.Inspect(path, variant);
        if (asJson)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(info), JsonOptions));
            return 0;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        switch (info.Kind)
        {
            case "file":
                RenderFile(console, info.Files[0]);
                SingleFileInfoView.Render(console, path);
                break;
            case "folder":
                RenderFolder(console, info);
                break;
            default:
                RenderComponents(console, info);
                break;
        }
        return 0;
    }

    /// <summary>The --json document: {kind, path, pipeline_class, components: [{name, library, class, weights, tensors,
    /// parameters, dtypes, metadata, segmoe: {num_experts, moe_layers, top_k}}], files: [...], total_tensors, total_parameters}.</summary>
    private static object ToJson(ModelInfo info) => new
    {
        kind = info.Kind,
        path = info.Path,
        pipeline_class = info.PipelineClass,
        components = info.Components.Select(c => new
        {
            name = c.Name,
            library = c.Library,
            @class = c.ClassName,
            weights = c.Weights?.Path,
            tensors = c.Weights?.Tensors,
            parameters = c.Weights?.Parameters,
            dtypes = c.Weights?.DTypes,
            metadata = c.Weights?.Metadata,
            segmoe = c.SegMoE is { } m ? new { num_experts = m.NumExperts, moe_layers = m.MoeLayers, top_k = m.TopK } : null,
            note = c.Note,
        }).ToList(),
        files = info.Files.Select(f => new { path = f.Path, tensors = f.Tensors, parameters = f.Parameters, dtypes = f.DTypes, metadata = f.Metadata }).ToList(),
        total_tensors = info.Components.Sum(c => c.Weights?.Tensors ?? 0) + info.Files.Sum(f => f.Tensors),
        total_parameters = info.TotalParameters,
        single_file = info.Kind == "file" ? SingleFileInfoView.Json(info.Path) : null,
    };

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string DTypes(CheckpointSummary s) =>
        string.Join(", ", s.DTypes.Select(kv => s.DTypes.Count == 1 ? kv.Key : $"{kv.Key} ({kv.Value})"));

    private static void RenderComponents(IAnsiConsole console, ModelInfo info)
    {
        if (info.PipelineClass is not null)
            console.MarkupLine($"[bold]{Markup.Escape(info.PipelineClass)}[/]  {Markup.Escape(info.Path)}");
        var table = new Table().AddColumns("component", "class", "tensors", "parameters", "dtypes", "weights");
        foreach (var c in info.Components)
        {
            string cls = c.ClassName ?? "";
            var w = c.Weights;
            table.AddRow(Markup.Escape(c.Name), Markup.Escape(cls), w is null ? "" : N(w.Tensors), w is null ? "" : N(w.Parameters),
                w is null ? "" : DTypes(w), Markup.Escape(w is null ? c.Note ?? "" : Path.GetFileName(w.Path)));
        }
        table.AddRow("[bold]total[/]", "", N(info.Components.Sum(c => c.Weights?.Tensors ?? 0)), N(info.TotalParameters), "", "");
        console.Write(table);
        foreach (var c in info.Components.Where(c => c.SegMoE is not null))
            console.MarkupLine(Markup.Escape($"SegMoE ({c.Name}): {c.SegMoE!.NumExperts} experts, {c.SegMoE.MoeLayers} MoE layers, top-k {c.SegMoE.TopK?.ToString(CultureInfo.InvariantCulture) ?? "?"}"));
    }

    private static void RenderFile(IAnsiConsole console, CheckpointSummary s)
    {
        var table = new Table().AddColumns("", Markup.Escape(s.Path));
        table.AddRow("tensors", N(s.Tensors));
        table.AddRow("parameters", N(s.Parameters));
        table.AddRow("dtypes", DTypes(s));
        foreach (var (k, v) in s.Metadata) table.AddRow(Markup.Escape($"metadata {k}"), Markup.Escape(v));
        console.Write(table);
    }

    private static void RenderFolder(IAnsiConsole console, ModelInfo info)
    {
        var table = new Table().AddColumns("file", "tensors", "parameters", "dtypes");
        foreach (var f in info.Files)
            table.AddRow(Markup.Escape(Path.GetRelativePath(info.Path, f.Path)), N(f.Tensors), N(f.Parameters), DTypes(f));
        table.AddRow("[bold]total[/]", N(info.Files.Sum(f => f.Tensors)), N(info.TotalParameters), "");
        console.Write(table);
    }
}
