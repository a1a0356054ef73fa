using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>A progress bar whose description shows the last loss (plain lines every 10% when stdout is not a terminal).</summary>
internal static class LossProgress
{
    public static void Run(string description, int total, Action<Action<int, double>> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            int lastDecile = -1;
            work((done, loss) =>
            {
                int decile = total == 0 ? 10 : done * 10 / total;
                if (decile != lastDecile || done == total) Console.Error.WriteLine($"{description}: step {done}/{total}, loss {loss:F4}");
                lastDecile = decile;
            });
            return;
        }
        CliProgress.Bars(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: total);
                var refresh = CliProgress.Refresher(ctx);
                work((done, loss) => { task.Value = done; task.Description = Markup.Escape($"{description} (loss {loss:F4})"); refresh(); });
            });
    }
}
