using System.Diagnostics;
using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

public sealed class SegMoeBuilderTests : IDisposable
{
    /// <summary>fixtures/README.md "Tolerances": gates rebuilt from <c>moe/segmoe.yaml</c> (25-step gate runs) &lt;= 1e-3.</summary>
    private const double RebuiltGateTolerance = 1e-3;

    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("segmoe-build-").FullName;

    public SegMoeBuilderTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>4 experts x 25 guided steps through the pipeline: ~60 s on the shared build machine.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void FixtureYamlRebuildsTinySegMoe()
    {
        var config = SegMoeConfig.LoadYaml(Fixtures.Path("moe", "segmoe.yaml"));
        var progress = new List<SegMoeBuildProgress>();
        var watch = Stopwatch.StartNew();
        string outFolder = Path.Combine(_dir, "built");
        using var model = SegMoeBuilder.BuildAndSave(config, outFolder, new SegMoeBuildOptions { Progress = new SyncProgress(p => { progress.Add(p); if (p.Stage != "gates" || p.Step % 5 == 0) _output.WriteLine($"{watch.Elapsed.TotalSeconds:F1}s expert {p.Expert} {p.Stage} {p.Step}"); }) });
        _output.WriteLine($"build + save: {watch.Elapsed.TotalSeconds:F1} s");

        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "segmoe.safetensors"));
        using var stored = SafetensorsFile.Open(FileLinks.Resolve(Fixtures.Path("moe", "tiny-segmoe", "unet", "diffusion_pytorch_model.safetensors")));
        double worstRef = 0, worstStored = 0;
        foreach (var (path, block) in model.Blocks)
        {
            double r = SegMoeModelTests.MaxAbs(block.Gate.weight!, refs.Load("gates." + path));
            double s = SegMoeModelTests.MaxAbs(block.Gate.weight!, stored.Load(path + ".gate.weight"));
            _output.WriteLine($"gates.{path}: max abs vs reference {r:E2}, vs tiny-segmoe {s:E2}");
            (worstRef, worstStored) = (Math.Max(worstRef, r), Math.Max(worstStored, s));
        }
        _output.WriteLine($"worst gate error: reference {worstRef:E2}, tiny-segmoe {worstStored:E2}");
        Assert.True(worstRef <= RebuiltGateTolerance && worstStored <= RebuiltGateTolerance);

        // Everything but the gates is tiny-segmoe exactly (experts copied, non-MoE weights from the base).
        var state = model.Unet.state_dict();
        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        foreach (var key in stored.Keys.Where(k => !k.EndsWith(".gate.weight", StringComparison.Ordinal)))
            Assert.True(state[key].equal(stored.Load(key)).all().item<bool>(), key);

        // Progress: every expert, every one of the 25 gate-run steps.
        for (int e = 0; e < 4; e++)
            Assert.Equal(Enumerable.Range(1, 25), progress.Where(p => p.Expert == e && p.Stage == "gates").Select(p => p.Step));

        // The segmind layout: DDPM scheduler made from the base's PNDM config, segmoe_config, copied components.
        string fixture = Fixtures.Path("moe", "tiny-segmoe");
        foreach (var file in new[] { "scheduler/scheduler_config.json", "model_index.json" })
            Assert.True(JsonNode.DeepEquals(ConfigJson.LoadObject(Path.Combine(fixture, file)), ConfigJson.LoadObject(Path.Combine(outFolder, file))), file);
        var builtUnet = ConfigJson.LoadObject(Path.Combine(outFolder, "unet", "config.json"));
        var fixtureUnet = ConfigJson.LoadObject(Path.Combine(fixture, "unet", "config.json"));
        Assert.True(JsonNode.DeepEquals(fixtureUnet["segmoe_config"], builtUnet["segmoe_config"]));
        foreach (var file in new[] { "text_encoder/model.safetensors", "vae/diffusion_pytorch_model.safetensors", "tokenizer/vocab.json" })
            Assert.Equal(File.ReadAllBytes(FileLinks.Resolve(Path.Combine(fixture, file))), File.ReadAllBytes(Path.Combine(outFolder, file)));

        // And it loads back as a pipeline.
        using var pipeline = SegMoePipeline.FromPretrained(outFolder);
        Assert.Equal(21, pipeline.Model.Blocks.Count);
    }

    [Fact]
    public void ExpertWithAnotherArchitectureIsRejectedNamingTheField()
    {
        string expert = Path.Combine(_dir, "odd");
        Directory.CreateDirectory(Path.Combine(expert, "unet"));
        var unetConfig = ConfigJson.LoadObject(Fixtures.Path("moe", "experts", "e1", "unet", "config.json"));
        unetConfig["cross_attention_dim"] = 48;
        File.WriteAllText(Path.Combine(expert, "unet", "config.json"), unetConfig.ToJsonString());
        string yaml = Path.Combine(_dir, "odd.yaml");
        File.WriteAllText(yaml, $"type: sd\nbase_model: {Fixtures.Path("moe", "experts", "e0")}\nexperts:\n" +
            $"- source_model: {Fixtures.Path("moe", "experts", "e0")}\n  positive_prompt: a\n  negative_prompt: b\n" +
            "- source_model: odd\n  positive_prompt: c\n  negative_prompt: d\n");
        var e = Assert.Throws<CheckpointFormatException>(() => SegMoeBuilder.Build(SegMoeConfig.LoadYaml(yaml)));
        Assert.Contains("experts[1].source_model", e.Message);
        Assert.Contains("cross_attention_dim: 48 vs 32", e.Message);
        Assert.StartsWith(yaml, e.Message);
    }

    public static TheoryData<string, int> PerturbedCases => new() { { "ff", 3 }, { "attn", 4 }, { "all", 4 } };

    [Theory]
    [MemberData(nameof(PerturbedCases))]
    public void PerturbedTinySdExpertsBuildSaveAndReloadWithIdenticalOutputs(string layers, int experts)
    {
        // Expert folders: tiny-sd with its UNet replaced by a seeded perturbation of the ff / attention weights.
        var lines = new List<string> { "type: sd", $"moe_layers: {layers}", "num_experts_per_tok: 2", "seed: 5", "base_model: expert0", "experts:" };
        for (int e = 0; e < experts; e++)
        {
            string folder = Path.Combine(_dir, $"expert{e}");
            CopyResolved(Fixtures.Path("tiny-sd"), folder);
            using var unet = MoeTestModels.PerturbedUnet(100 + e);
            unet.SavePretrained(Path.Combine(folder, "unet"));
            lines.Add($"- source_model: expert{e}\n  positive_prompt: shape number {e}\n  negative_prompt: colour {e}");
        }
        string yaml = Path.Combine(_dir, $"{layers}.yaml");
        File.WriteAllText(yaml, string.Join("\n", lines) + "\n");
        string outFolder = Path.Combine(_dir, $"moe-{layers}");
        // 3 gate-run steps instead of 25 keep the test short; gates still come from each expert's own run.
        using var model = SegMoeBuilder.BuildAndSave(SegMoeConfig.LoadYaml(yaml), outFolder, new SegMoeBuildOptions { Steps = 3 });
        using var reloaded = SegMoeModel.FromPretrained(outFolder);

        for (int e = 0; e < experts; e++)
        {
            using var expert = MoeTestModels.PerturbedUnet(100 + e);
            foreach (var (path, block) in reloaded.Blocks)
            {
                var own = Penumbra.Models.Common.ModulePaths.Find(expert, path).state_dict();
                foreach (var (key, value) in block.Expert(e).state_dict()) Assert.True(value.equal(own[key]).all().item<bool>(), $"{path}.experts.{e}.{key}");
            }
        }
        foreach (var block in reloaded.Blocks.Values)
        {
            var w = block.Gate.weight!;
            Assert.True((w[0] - w[1]).abs().max().item<float>() > 0, "gate rows of different experts should differ");
            Assert.True(((w * w).sum(1) - 1).abs().max().item<float>() < 1e-5, "gate rows are unit vectors");
        }

        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var (x, t, c) = (refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
        Assert.True(model.Unet.call(x, t, c).equal(reloaded.Unet.call(x, t, c)).all().item<bool>());
        var summary = SegMoeSummary.Describe(outFolder);
        _output.WriteLine($"{layers} x{experts}: {summary.MoeLayerCount} MoE layers, UNet ratio {summary.UnetRatio:F3}, pipeline ratio {summary.PipelineRatio:F3}");
    }

    private static void CopyResolved(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.WriteAllBytes(Path.Combine(to, Path.GetFileName(file)), File.ReadAllBytes(FileLinks.Resolve(file)));
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyResolved(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<SegMoeBuildProgress> report) : IProgress<SegMoeBuildProgress>
    {
        public void Report(SegMoeBuildProgress value) => report(value);
    }
}
