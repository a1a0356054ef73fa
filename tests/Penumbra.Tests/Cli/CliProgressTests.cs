using Penumbra.Cli;

namespace Penumbra.Tests.Cli;

[Collection("Console")]
public class CliProgressTests
{
    [Fact]
    public void PlainOutputWritesOneLineAtEachTenthWithTheLastStatus()
    {
        var lines = Capture(() => CliProgress.Track("training", 20, linesPerRun: 10, report =>
        {
            for (int step = 1; step <= 20; step++) report(step, $"loss {1.0 / step:F4}");
        }));
        // A tenth of 20 steps is 2: the first report, then steps 2, 4, ..., 20.
        var expected = new[] { 1 }.Concat(Enumerable.Range(1, 10).Select(i => 2 * i))
            .Select(step => $"training: {step}/20, loss {1.0 / step:F4}");
        Assert.Equal(expected, lines);
    }

    [Fact]
    public void RunWritesQuartersWithoutAStatus()
    {
        var lines = Capture(() => CliProgress.Run("scoring", 8, report =>
        {
            for (int done = 1; done <= 8; done++) report(done);
        }));
        Assert.Equal(new[] { "scoring: 1/8", "scoring: 2/8", "scoring: 4/8", "scoring: 6/8", "scoring: 8/8" }, lines);
    }

    private static string[] Capture(Action run)
    {
        Assert.True(Console.IsOutputRedirected, "the test host redirects stdout, so progress goes to plain lines");
        var old = Console.Error;
        var err = new StringWriter();
        Console.SetError(err);
        try { run(); }
        finally { Console.SetError(old); }
        return err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
