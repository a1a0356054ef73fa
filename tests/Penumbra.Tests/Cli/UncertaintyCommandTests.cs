using System.Text.Json;
using Penumbra.Cli.Commands;
using Penumbra.Imaging;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Uncertainty;

namespace Penumbra.Tests.Cli;

[Collection("Console")]
public class UncertaintyCommandTests
{
    [Fact]
    public void JsonLinesCarryTheEstimatorsNumbersAndTheMapIsWritten()
    {
        var dir = Directory.CreateTempSubdirectory("penumbra-unc-").FullName;
        try
        {
            string model = Fixtures.Path("moe", "tiny-segmoe");
            var (code, output, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "--model", model,
                "--prompt", "a red circle", "--prompt", "a blue square", "--seed", "2", "--json", "--map", Path.Combine(dir, "map.png"));
            Assert.True(code == 0, err);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).ToArray();
            Assert.Equal(2, lines.Length);
            using var moe = SegMoePipeline.FromPretrained(model);
            var expected = new EmoeEstimator(moe).Score(new[] { "a red circle", "a blue square" }, new EmoeOptions { Seed = 2 });
            for (int i = 0; i < 2; i++)
            {
                var json = JsonDocument.Parse(lines[i]).RootElement;
                Assert.Equal(expected[i].Prompt, json.GetProperty("prompt").GetString());
                Assert.Equal(2, json.GetProperty("seed").GetInt64());
                Assert.Equal(expected[i].Eu, json.GetProperty("eu").GetDouble(), expected[i].Eu * 1e-9);
                Assert.Equal(expected[i].RouterEntropy, json.GetProperty("router_entropy").GetDouble(), 1e-9);
                Assert.True(json.TryGetProperty("seed_variance", out _));
                Assert.True(json.TryGetProperty("token_length", out _));
                foreach (var (name, score) in PathDisagreements.All)
                {
                    double value = score(expected[i].PathLatents);
                    Assert.Equal(value, json.GetProperty(name).GetDouble(), Math.Max(Math.Abs(value) * 1e-9, 1e-15));
                }
                using var empty = new EmoeEstimator(moe).Score("", new EmoeOptions { Seed = 2 });
                foreach (var (name, score) in PathDisagreements.AgainstEmpty)
                {
                    double value = score(expected[i].PathLatents, empty.PathLatents);
                    Assert.Equal(value, json.GetProperty(name).GetDouble(), Math.Max(Math.Abs(value) * 1e-6, 1e-15));
                }
                expected[i].Dispose();
            }
            Assert.Equal(2, Directory.GetFiles(dir, "map-*.png").Length);
            var (w, h, _, _) = PngCodec.Read(Path.Combine(dir, "map-000.png"));
            Assert.True(w > 0 && w == h);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("--mode", "bogus", "--mode")]
    [InlineData("--prompts", "/nonexistent/prompts.txt", "/nonexistent/prompts.txt")]
    public void BadArgumentsGiveOneClearErrorAndExitCode1(string option, string value, string named)
    {
        var args = new List<string> { "uncertainty", "--model", Fixtures.Path("moe", "tiny-segmoe"), option, value };
        if (option != "--prompts") args.AddRange(new[] { "--prompt", "a red circle" });
        var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), args.ToArray());
        Assert.Equal(1, code);
        Assert.Contains(named, err);
    }

    [Fact]
    public void EvaluateToyRefusesZeroLatentSeeds()
    {
        var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "evaluate-toy", "--model", Fixtures.Path("moe", "tiny-segmoe"),
            "--latent-seeds", "0", "--no-images");
        Assert.Equal(1, code);
        Assert.Contains("--latent-seeds 0", err);
    }

    [Fact]
    public void EvaluateToyRefusesAnUnknownExpertSetNamingTheKnownOnes()
    {
        var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "evaluate-toy", "--model", Fixtures.Path("moe", "tiny-segmoe"),
            "--expert-set", "shapes", "--no-images");
        Assert.NotEqual(0, code);
        Assert.Contains("shapes", err);
        Assert.Contains("colours", err);
    }

    [Fact]
    public void EvaluateToyNeedsAnExpertSetWhenTheModelRecordsNone()
    {
        // The fixture mixture was built by segmoe's own code, whose config has no toy_expert_set.
        string model = Fixtures.Path("moe", "tiny-segmoe");
        var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "evaluate-toy", "--model", model, "--no-images");
        Assert.Equal(1, code);
        Assert.Contains(model, err);
        Assert.Contains("toy_expert_set", err);
        Assert.Contains("--expert-set", err);
    }

    [Fact]
    public void EvaluateToyDefaultsToTheBundledColourMixtureAndTheSetItRecords()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"penumbra-evaluate-toy-{Guid.NewGuid():N}.csv");
        try
        {
            var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "evaluate-toy", "--prompts", "4", "--no-images",
                "--latent", "z", "--csv", csv);
            Assert.True(code == 0, err);
            // The colour set's unseen prompts state green, purple or white; its in-set prompts state none of them.
            var rows = File.ReadAllLines(csv).Skip(1).Select(l => (Set: l[..l.IndexOf(',')], Prompt: l.Split('"')[1])).ToArray();
            Assert.Equal(12, rows.Length);
            string[] unseenColours = { "green", "purple", "white" };
            Assert.All(rows.Where(r => r.Set == "unseen"), r => Assert.Contains(unseenColours, c => r.Prompt.Contains(c)));
            Assert.All(rows.Where(r => r.Set == "in"), r => Assert.DoesNotContain(unseenColours, c => r.Prompt.Contains(c)));
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void AMissingModelIsNamed()
    {
        var (code, _, err) = CliHarness.Run(UncertaintyCommand.Create(), "uncertainty", "--model", "/nonexistent/moe", "--prompt", "a red circle");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/moe", err);
    }
}
