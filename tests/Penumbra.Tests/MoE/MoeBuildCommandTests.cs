using Penumbra.Cli.Commands;
using Penumbra.MoE;
using Penumbra.Tests.Cli;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.MoE;

[Collection("Console")]
public sealed class MoeBuildCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("segmoe-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BuildsAndSummarisesAFolder()
    {
        // init other than "hidden" keeps the gates' random initialisation (segmoe), so no gate runs: a fast end-to-end run.
        string yaml = Write("type: sd\ninit: random\nmoe_layers: ff\nnum_experts_per_tok: 1\n" +
            $"base_model: {Fixtures.Path("moe", "experts", "e0")}\nexperts:\n" +
            $"- source_model: {Fixtures.Path("moe", "experts", "e1")}\n  positive_prompt: a\n  negative_prompt: b\n" +
            $"- source_model: {Fixtures.Path("moe", "experts", "e2")}\n  positive_prompt: c\n  negative_prompt: d\n");
        string outFolder = Path.Combine(_dir, "out");
        var (code, stdout, err) = CliHarness.Run(MoeCommand.Create(), "moe", "build", yaml, outFolder);
        Assert.True(code == 0, err);
        Assert.Contains("2 experts, 3 MoE layers (ff), top-1", stdout);
        using var model = SegMoeModel.FromPretrained(outFolder);
        Assert.Equal(3, model.Blocks.Count);
        Assert.Equal("random", model.Config.Init);
    }

    [Theory]
    [InlineData("type: sd\nbase_model: b\nmoe_layers: nope\nexperts: []\n", "moe_layers: unknown value 'nope'")]
    [InlineData("type: sdxl\nbase_model: b\nexperts: []\n", "type: sdxl")]
    public void BadConfigGivesOneErrorLine(string yamlText, string expected)
    {
        var (code, _, err) = CliHarness.Run(MoeCommand.Create(), "moe", "build", Write(yamlText), Path.Combine(_dir, "never"));
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    private string Write(string text)
    {
        string path = Path.Combine(_dir, $"c{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
