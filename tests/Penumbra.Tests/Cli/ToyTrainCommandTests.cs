using Penumbra.Cli.Commands;

namespace Penumbra.Tests.Cli;

/// <summary>`penumbra toy train` refuses bad options with one line naming the option, before it trains or writes anything.</summary>
[Collection("Console")]
public class ToyTrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("penumbra-toytrain").FullName, "out");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Theory]
    [InlineData("--token-embedding-std", "0", "must be > 0")]
    [InlineData("--text-width", "30", "multiple of 4")]
    [InlineData("--cross-attention-levels", "0", "at least 1")]
    public void BadOptionsFailWithOneLineNamingTheOption(string option, string value, string reason)
    {
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "train", "--out", _dir, "--base-steps", "1", "--steps", "1", option, value);
        Assert.Equal(1, code);
        Assert.Contains($"{option} {value}", err);
        Assert.Contains(reason, err);
        Assert.False(Directory.Exists(_dir));
    }
}
