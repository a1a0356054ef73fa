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
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                work(done => task.Value = done);
            });
    }
}
