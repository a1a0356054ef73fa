using Penumbra.Cli;

namespace Penumbra.Tests.Cli;

public class InlineProgressTests
{
    [Fact]
    public void ReportsRunAtOnceInOrderOnTheReportingThread()
    {
        var seen = new List<(int Value, int Thread)>();
        IProgress<int> progress = new InlineProgress<int>(v => seen.Add((v, Environment.CurrentManagedThreadId)));
        for (int i = 0; i < 5; i++)
        {
            progress.Report(i);
            Assert.Equal(i + 1, seen.Count); // already handled when Report returns
        }
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, seen.Select(s => s.Value));
        Assert.All(seen, s => Assert.Equal(Environment.CurrentManagedThreadId, s.Thread));
    }
}
