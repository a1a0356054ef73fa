using Penumbra.Cli.Commands;

namespace Penumbra.Tests.Cli;

/// <summary>`penumbra toy train` and `toy span` refuse bad options with one line naming the option, before they train or write anything.</summary>
[Collection("Console")]
public class ToyCommandTests : IDisposable
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

    [Fact]
    public void JointCoreBaseNeedsTheCrossAttentionMidBlock()
    {
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "train", "--out", _dir, "--base-steps", "1", "--expert-training", "joint",
            "--base", "core", "--mid-block-type", "UNetMidBlock2D");
        Assert.Equal(1, code);
        Assert.Contains("--base core", err);
        Assert.Contains("--mid-block-type UNetMidBlock2D", err);
        Assert.False(Directory.Exists(_dir));
    }

    [Theory]
    [InlineData("1.5", "--core-generic-shape-rate 1.5: must lie in [0, 1]")]
    [InlineData("0.5", "applies to --expert-training joint --base core-words only")]
    public void GenericShapeRateIsAShareForCoreWordsOnly(string rate, string reason)
    {
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "train", "--out", _dir, "--base-steps", "1", "--expert-training", "joint",
            "--base", "core", "--core-generic-shape-rate", rate);
        Assert.Equal(1, code);
        Assert.Contains(reason, err);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void IndependentFeedForwardsAreForTheJointRecipeOnly()
    {
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "train", "--out", _dir, "--base-steps", "1", "--independent-feed-forwards");
        Assert.Equal(1, code);
        Assert.Contains("--independent-feed-forwards applies to --expert-training joint only", err);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void CoreWordsIsOnlyForTheJointRecipe()
    {
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "train", "--out", _dir, "--base-steps", "1", "--base", "core-words");
        Assert.Equal(1, code);
        Assert.Contains("--base core-words", err);
        Assert.Contains("--expert-training joint", err);
        Assert.False(Directory.Exists(_dir));
    }

    [Theory]
    [InlineData("--tolerance", "2", "must be in (0, 1)")]
    [InlineData("--captions", "0", "must be at least 1")]
    public void SpanRefusesBadOptions(string option, string value, string reason)
    {
        Directory.CreateDirectory(_dir);
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "span", "--model", _dir, option, value);
        Assert.Equal(1, code);
        Assert.Contains($"{option} {value}: {reason}", err);
    }

    [Fact]
    public void SpanNamesTheMissingExpertFolder()
    {
        Directory.CreateDirectory(_dir);
        var (code, _, err) = CliHarness.Run(ToyCommand.Create(), "toy", "span", "--model", _dir);
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(_dir, "e0"), err);
        Assert.Contains("no expert folder", err);
    }
}
