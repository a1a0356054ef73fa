using System.Diagnostics;
using Spectre.Console;

namespace Penumbra.Cli;

/// <summary>A Spectre progress bar when stdout is a terminal, otherwise occasional plain lines.</summary>
public static class CliProgress
{
    public static void Run(string description, int total, Action<Action<int>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            int last = -1;
            work(done =>
            {
                int pct = total == 0 ? 100 : done * 100 / total;
                if (pct / 25 != last / 25 || done == total) Console.Error.WriteLine($"{description}: {done}/{total}");
                last = pct;
            });
            return;
        }
        Bars(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                var refresh = Refresher(ctx);
                work(done => { task.Value = done; refresh(); });
            });
    }

    /// <summary>A Spectre progress display that draws only when the worker asks (<see cref="Refresher"/>): its automatic
    /// refresh would render, and allocate, on a thread of its own while the worker sits in native torch code (see
    /// <see cref="InlineProgress{T}"/> for why that matters with TorchSharp 0.107).</summary>
    public static Progress Bars(params ProgressColumn[] columns) => AnsiConsole.Progress().AutoRefresh(false).Columns(columns);

    /// <summary>Redraws <paramref name="ctx"/> on the calling thread, at most ten times a second.</summary>
    public static Action Refresher(ProgressContext ctx)
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.FromSeconds(-1);
        return () =>
        {
            if (clock.Elapsed - last < TimeSpan.FromMilliseconds(100)) return;
            last = clock.Elapsed;
            ctx.Refresh();
        };
    }
}
