using System.Diagnostics;
using Spectre.Console;

namespace Penumbra.Cli;

/// <summary>A Spectre progress bar when stdout is a terminal, otherwise occasional plain lines on stderr.</summary>
public static class CliProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports how many of <paramref name="total"/> items are done; plain
    /// output writes a line at every quarter.</summary>
    public static void Run(string description, int total, Action<Action<int>> work) =>
        Track(description, total, linesPerRun: 4, report => work(done => report(done, null)));

    /// <summary>Like <see cref="Run"/>, but each report also carries a short status (e.g. the last loss) that the bar
    /// shows after the description and plain output prints after the count; <paramref name="linesPerRun"/> plain lines
    /// in all.</summary>
    public static void Track(string description, int total, int linesPerRun, Action<Action<int, string?>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            int lastLine = -1;
            work((done, status) =>
            {
                int line = total == 0 ? linesPerRun : done * linesPerRun / total;
                if (line != lastLine || done == total)
                    Console.Error.WriteLine($"{description}: {done}/{total}{(status is null ? "" : ", " + status)}");
                lastLine = line;
            });
            return;
        }
        Bars(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                var refresh = Refresher(ctx);
                work((done, status) =>
                {
                    task.Value = done;
                    if (status is not null) task.Description = Markup.Escape($"{description} ({status})");
                    refresh();
                });
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
