using System.CommandLine;
using System.Diagnostics;
using Penumbra.Checkpoints;
using Penumbra.IO;
using Penumbra.Runtime;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra convert &lt;input&gt; &lt;output&gt;</c>: an original-layout single file to a diffusers folder, or
/// (<c>--to single-file</c>, the default for a folder) a diffusers folder to one file. Weights keep their stored dtype, except
/// that a diffusers folder given with <c>--to diffusers --dtype D</c> is written again with its weights stored in D.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A single .safetensors file (original LDM layout) or a diffusers pipeline folder" };
        var output = new Argument<string>("output") { Description = "The folder (or .safetensors file) to write" };
        var to = new Option<string?>("--to") { Description = "diffusers or single-file (default: the other layout of the input)" };
        var dtype = new Option<string?>("--dtype") { Description = $"With a diffusers folder and --to diffusers: store the weights as {DTypeParser.Accepted}" };
        var single = new SingleFileCli();
        var cmd = new Command("convert", "Convert between single-file (A1111/CivitAI) checkpoints and diffusers folders") { input, output, to, dtype };
        foreach (var o in single.All) cmd.Options.Add(o);
        cmd.SetAction(pr => Run(pr.GetRequiredValue(input), pr.GetRequiredValue(output), pr.GetValue(to), pr.GetValue(dtype), single, pr));
        return cmd;
    }

    private static int Run(string input, string output, string? to, string? dtype, SingleFileCli single, ParseResult pr)
    {
        bool fromFile = File.Exists(input);
        if (!fromFile && !Directory.Exists(input)) throw new FileNotFoundException($"{input}: no such file or folder", input);
        string target = to ?? (fromFile ? "diffusers" : "single-file");
        if (dtype is not null && (fromFile || target != "diffusers"))
            throw new ArgumentException($"--dtype {dtype}: only a diffusers folder written again as a folder (--to diffusers) changes its dtype; other conversions keep the stored dtype");
        var sw = Stopwatch.StartNew();
        switch (target)
        {
            case "diffusers" when !fromFile:
                if (dtype is null) throw new ArgumentException($"--to diffusers: {input} is a folder already; give a single .safetensors file, or --dtype to store its weights in another dtype");
                var type = DTypeParser.Parse(dtype);
                var cast = DiffusersFolderCast.Save(input, output, type);
                Console.WriteLine($"{input}/ -> {output}/ ({cast.WeightFiles} weight files as {DTypeParser.Name(type)}, " +
                    $"{cast.BytesBefore / 1e6:F1} MB -> {cast.BytesAfter / 1e6:F1} MB) in {sw.Elapsed.TotalSeconds:F1} s");
                return 0;
            case "diffusers":
                using (var checkpoint = SingleFileCheckpoint.Open(input, single.Read(pr)))
                {
                    foreach (var note in checkpoint.Notes) Console.Error.WriteLine($"note: {note}");
                    SingleFilePipeline.SaveAsDiffusers(checkpoint, output, single.TokenizerFolder(pr));
                    Console.WriteLine($"{input} ({Describe(checkpoint)}) -> {output}/ in {sw.Elapsed.TotalSeconds:F1} s");
                }
                return 0;
            case "single-file":
                if (fromFile) throw new ArgumentException($"--to single-file: {input} is a file; give a diffusers pipeline folder");
                if (!output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"output {output}: a single file must end in .safetensors");
                DiffusersToSingleFile.Save(input, output);
                Console.WriteLine($"{input}/ -> {output} in {sw.Elapsed.TotalSeconds:F1} s");
                return 0;
            default:
                throw new ArgumentException($"--to '{target}': expected diffusers or single-file");
        }
    }

    internal static string Describe(SingleFileCheckpoint c) =>
        $"SD {(c.Configs.TextEncoderKind == LdmTextEncoderKind.Clip ? "1.x, CLIP" : "2.x, OpenCLIP")} text encoder, " +
        $"{c.Configs.Scheduler.PredictionType}, {c.StoredDType}, config from {c.Configs.Source}";
}
