using System.CommandLine;
using System.Diagnostics;
using Penumbra.MoE;
using Penumbra.Runtime;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra moe build config.yaml &lt;out&gt;</c>: builds a SegMoE model from a segmoe YAML config (gate runs
/// per expert, one progress bar each) and writes the segmind folder layout.</summary>
public static class MoeBuildCommand
{
    public static Command Create()
    {
        var config = new Argument<string>("config") { Description = "segmoe YAML config (base_model, experts with source_model / positive_prompt / negative_prompt, ...)" };
        var output = new Argument<string>("out") { Description = "Output folder (diffusers layout with segmoe_config in unet/config.json)" };
        var device = new Option<string>("--device") { Description = DeviceParser.Accepted, DefaultValueFactory = _ => RuntimeOptions.DefaultDevice };
        var dtype = new Option<string>("--dtype") { Description = DTypeParser.Accepted, DefaultValueFactory = _ => RuntimeOptions.DefaultDType };
        var cmd = new Command("build", "Build a SegMoE model from a YAML config") { config, output, device, dtype };
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr.GetRequiredValue(config), pr.GetRequiredValue(output),
            RuntimeOptions.Parse(pr.GetValue(device), pr.GetValue(dtype)), ct)));
        return cmd;
    }

    private static int Run(string configPath, string outFolder, RuntimeOptions runtime, CancellationToken ct)
    {
        var config = SegMoeConfig.LoadYaml(configPath);
        var watch = Stopwatch.StartNew();
        var options = new SegMoeBuildOptions { Device = runtime.Device, DType = runtime.DType, CancellationToken = ct };
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            var plain = new PlainProgress();
            SegMoeBuilder.BuildAndSave(config, outFolder, options with { Progress = plain }).Dispose();
        }
        else
        {
            CliProgress.Bars(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var tasks = config.Experts.Select((e, i) => ctx.AddTask(
                        Markup.Escape($"expert {i + 1}/{config.Experts.Count} {e.SourceModel}"), autoStart: false, maxValue: options.Steps + 1)).ToList();
                    var refresh = CliProgress.Refresher(ctx);
                    var progress = new InlineProgress<SegMoeBuildProgress>(p =>
                    {
                        var task = tasks[p.Expert];
                        if (!task.IsStarted) task.StartTask();
                        task.Value = p.Stage == "done" ? task.MaxValue : p.Step;
                        refresh();
                    });
                    SegMoeBuilder.BuildAndSave(config, outFolder, options with { Progress = progress }).Dispose();
                });
        }

        var summary = SegMoeSummary.Describe(outFolder);
        Console.Out.WriteLine($"wrote {outFolder}: {summary.NumExperts} experts, {summary.MoeLayerCount} MoE layers ({summary.MoeLayers}), " +
            $"top-{summary.TopK}, UNet {summary.UnetParameters:N0} parameters = {summary.UnetRatio:F3}x one UNet" +
            (summary.PipelineRatio is double r ? $", pipeline {r:F3}x" : "") + $", {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>One line per expert stage on stderr when the output is not a terminal.</summary>
    private sealed class PlainProgress : IProgress<SegMoeBuildProgress>
    {
        public void Report(SegMoeBuildProgress p)
        {
            if (p.Stage == "gates" && p.Step != p.Steps) return;
            Console.Error.WriteLine($"expert {p.Expert + 1}/{p.ExpertCount} {p.Source}: {p.Stage}{(p.Stage == "gates" ? $" {p.Step}/{p.Steps} steps" : "")}");
        }
    }
}
