using Penumbra.Checkpoints;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Models.Unets;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Checkpoints;

/// <summary>A SegMoE config may name experts by single files: with experts e1..e3 of fixtures/moe converted to original-layout
/// files, the build gives the same gates and experts as with the expert folders (the files are read with the base's
/// configs and tokenizer, which the fixture experts share).</summary>
[Collection(nameof(MetaDeviceCollection))]
public class SingleFileSegMoeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-segmoe-single-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Yaml(string name, Func<int, string> expert)
    {
        var lines = new List<string> { "type: sd", "moe_layers: all", "num_experts_per_tok: 2", "seed: 0", $"base_model: {Fixtures.Path("moe", "experts", "e0")}", "experts:" };
        for (int e = 0; e < 4; e++) lines.Add($"- source_model: {expert(e)}\n  positive_prompt: prompt {e}\n  negative_prompt: negative {e}");
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public void SingleFileExpertsGiveTheSameMixtureAsFolders()
    {
        for (int e = 1; e < 4; e++) DiffusersToSingleFile.Save(Fixtures.Path("moe", "experts", $"e{e}"), Path.Combine(_dir, $"e{e}.safetensors"));
        string folders = Yaml("folders.yaml", e => Fixtures.Path("moe", "experts", $"e{e}"));
        string files = Yaml("files.yaml", e => e == 0 ? Fixtures.Path("moe", "experts", "e0") : Path.Combine(_dir, $"e{e}.safetensors"));
        var options = new SegMoeBuildOptions { Steps = 2 };
        using var a = SegMoeBuilder.Build(SegMoeConfig.LoadYaml(folders), options);
        using var b = SegMoeBuilder.Build(SegMoeConfig.LoadYaml(files), options);
        var sa = a.Unet.state_dict();
        var sb = b.Unet.state_dict();
        Assert.Equal(sa.Keys.Order(StringComparer.Ordinal), sb.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(sa.Keys, k => k.EndsWith(".gate.weight", StringComparison.Ordinal));
        foreach (var (k, t) in sa) Assert.True(SingleFileKeyMapTests.BitIdentical(t, sb[k]), k);
    }

    [Fact]
    public void ASingleFileExpertOfAnotherArchitectureIsRefused()
    {
        string files = Yaml("sd2.yaml", e => e == 0 ? Fixtures.Path("moe", "experts", "e0") : Fixtures.Path("single-file", "tiny-sd2.safetensors"));
        var ex = Assert.Throws<CheckpointFormatException>(() => SegMoeBuilder.Build(SegMoeConfig.LoadYaml(files)).Dispose());
        Assert.Contains("experts[1].source_model", ex.Message);
        Assert.Contains("base model's architecture", ex.Message);
    }
}
