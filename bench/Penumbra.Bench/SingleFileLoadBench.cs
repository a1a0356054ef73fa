using System.Diagnostics;
using System.Reflection;
using Penumbra.Checkpoints;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Unets;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>
/// Loading a full-size SD 1.5 UNet from an original-layout single file: a random-weight fp16 file is written once from the
/// real config (cached under <c>$PENUMBRA_BENCH_DIR</c>, default <c>/tmp/penumbra-bench</c>), then a fresh child process per
/// compute dtype opens it, loads the UNet and runs one 256×256 CFG step, reporting the load time, the peak resident memory
/// (VmHWM) against the weights' size in the compute dtype, and the time to the first step.
/// </summary>
public static class SingleFileLoadBench
{
    public const string ChildCommand = "load-child";

    public static string EnsureRandomSd15Unet(string fixtures)
    {
        string dir = Environment.GetEnvironmentVariable("PENUMBRA_BENCH_DIR") ?? Path.Combine(Path.GetTempPath(), "penumbra-bench");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "sd15-unet-random-fp16.safetensors");
        if (File.Exists(file)) return file;
        var sw = Stopwatch.StartNew();
        var config = ConfigJson.Load<UNet2DConditionConfig>(Path.Combine(fixtures, "configs", "sd15", "unet", "config.json"));
        var table = LdmUNetKeys.Build(config);
        using var meta = MetaModelLoader.BuildOnMeta(() => new UNet2DConditionModel(config));
        var generator = new Generator(1234);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t) in meta.state_dict())
        {
            using var scope = NewDisposeScope();
            var shape = t.shape;
            // Scaled like a trained model (unit-variance activations): fan-in init for weights, ~1 for norm scales.
            var r = randn(shape, generator: generator);
            var value = shape.Length >= 2 ? r / Math.Sqrt(t.numel() / shape[0]) : key.EndsWith(".weight", StringComparison.Ordinal) ? 1 + 0.02 * r : 0.02 * r;
            tensors[LdmPrefixes.UNet + table.ToOriginal(key)!.Original] = value.to(ScalarType.Float16).MoveToOuterDisposeScope();
        }
        SafetensorsWriter.Save(file, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        foreach (var t in tensors.Values) t.Dispose();
        Console.WriteLine($"wrote {file} ({new FileInfo(file).Length / 1e9:F2} GB, random SD 1.5 UNet, fp16) in {sw.Elapsed.TotalSeconds:F1} s");
        return file;
    }

    /// <summary>Runs the child measurement once per dtype and prints its report.</summary>
    public static void Run(string fixtures)
    {
        string file = EnsureRandomSd15Unet(fixtures);
        foreach (var dtype in new[] { "float32", "bfloat16" })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var a in new[] { ChildCommand, file, dtype }) start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
        }
    }

    /// <summary>The child: baseline RSS, load, peak RSS, first step.</summary>
    public static int Child(string file, string dtypeName)
    {
        var dtype = dtypeName == "bfloat16" ? ScalarType.BFloat16 : ScalarType.Float32;
        using (var warm = ones(4)) { } // load libtorch before the baseline
        long baseline = Status("VmRSS");
        var sw = Stopwatch.StartNew();
        using var checkpoint = SingleFileCheckpoint.Open(file);
        using var unet = checkpoint.LoadUNet(dtype: dtype);
        double load = sw.Elapsed.TotalSeconds;
        long peak = Status("VmHWM");
        long weights = unet.parameters().Sum(p => p.numel()) * (dtype == ScalarType.Float32 ? 4 : 2);
        using var mode = inference_mode();
        using var x = randn(2, 4, 32, 32).to(dtype);
        using var ctx = randn(2, 77, 768).to(dtype);
        sw.Restart();
        using (var y = unet.Forward(x, 500, ctx)) { }
        double step = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"SD 1.5 UNet single file (fp16 stored) -> {dtypeName}: load {load:F2} s, peak RSS {peak / 1e9:F2} GB " +
                          $"(baseline {baseline / 1e9:F2} GB; +{(peak - baseline) / 1e9:F2} GB = {(double)(peak - baseline) / weights:F2}x the {weights / 1e9:F2} GB of {dtypeName} weights; " +
                          $"total {(double)peak / weights:F2}x), first 256x256 CFG step {step:F2} s, time to first step {load + step:F2} s");
        return 0;
    }

    /// <summary>A /proc/self/status memory field in bytes.</summary>
    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]) * 1024;
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
