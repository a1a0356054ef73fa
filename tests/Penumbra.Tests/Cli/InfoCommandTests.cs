using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Penumbra.Cli.Commands;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Cli;

/// <summary>`penumbra info` in-process; every number is checked against a sum over the fixture files' headers made
/// here, independently of the library.</summary>
[Collection("Console")]
public class InfoCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-info").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Info(params string[] args) => CliHarness.Run(InfoCommand.Create(), new[] { "info" }.Concat(args).ToArray());

    private sealed record HeaderSum(int Tensors, long Parameters, SortedSet<string> DTypes, int Gates, Dictionary<string, string> Metadata);

    /// <summary>Reads a safetensors header by hand (following the fixtures' link-text files) and sums it.</summary>
    private static HeaderSum Sum(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 512 && bytes.All(b => b >= 0x20 || b == '\n'))
            return Sum(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Encoding.UTF8.GetString(bytes).Trim())));
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, n));
        int tensors = 0, gates = 0;
        long parameters = 0;
        var dtypes = new SortedSet<string>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                foreach (var m in p.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString()!;
                continue;
            }
            tensors++;
            parameters += p.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => a * d.GetInt64());
            dtypes.Add(p.Value.GetProperty("dtype").GetString()!);
            if (p.Name.Contains(".gate.weight")) gates++;
        }
        return new HeaderSum(tensors, parameters, dtypes, gates, metadata);
    }

    private static string? WeightFile(string componentDir) =>
        new[] { "diffusion_pytorch_model.safetensors", "model.safetensors" }.Select(f => Path.Combine(componentDir, f)).FirstOrDefault(File.Exists);

    private static List<string> PipelineDirs() =>
        Directory.EnumerateFiles(Fixtures.Root, "model_index.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(Fixtures.Root, Path.GetDirectoryName(f)!)).ToList();

    public static TheoryData<string> Pipelines() => new(PipelineDirs());

    [Theory]
    [MemberData(nameof(Pipelines))]
    public void PipelineJsonMatchesTheFiles(string relative)
    {
        string dir = Fixtures.Path(relative);
        var (code, stdout, stderr) = Info(dir, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model_index.json")));
        Assert.Equal("pipeline", json.GetProperty("kind").GetString());
        Assert.Equal(index.RootElement.GetProperty("_class_name").GetString(), json.GetProperty("pipeline_class").GetString());

        var present = index.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value[1].ValueKind == JsonValueKind.String).ToList();
        var components = json.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(present.Select(p => p.Name).Order(), components.Keys.Order());
        long total = 0;
        foreach (var p in present)
        {
            var c = components[p.Name];
            Assert.Equal(p.Value[1].GetString(), c.GetProperty("class").GetString());
            string? weights = WeightFile(Path.Combine(dir, p.Name));
            if (weights is null)
            {
                Assert.False(c.TryGetProperty("tensors", out _), p.Name);
                continue;
            }
            var sum = Sum(weights);
            Assert.Equal(sum.Tensors, c.GetProperty("tensors").GetInt32());
            Assert.Equal(sum.Parameters, c.GetProperty("parameters").GetInt64());
            Assert.Equal(sum.DTypes, c.GetProperty("dtypes").EnumerateObject().Select(d => d.Name).ToHashSet());
            Assert.Equal(sum.Tensors, c.GetProperty("dtypes").EnumerateObject().Sum(d => d.Value.GetInt32()));
            total += sum.Parameters;

            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, p.Name, "config.json")));
            if (config.RootElement.TryGetProperty("segmoe_config", out var moe))
            {
                var s = c.GetProperty("segmoe");
                Assert.Equal(moe.GetProperty("num_experts").GetInt32(), s.GetProperty("num_experts").GetInt32());
                Assert.Equal(moe.GetProperty("num_experts_per_tok").GetInt32(), s.GetProperty("top_k").GetInt32());
                Assert.Equal(sum.Gates, s.GetProperty("moe_layers").GetInt32());
                Assert.True(sum.Gates > 0);
            }
            else Assert.False(c.TryGetProperty("segmoe", out _));
        }
        Assert.Equal(total, json.GetProperty("total_parameters").GetInt64());
    }

    [Fact]
    public void SegMoEFolderIsRecognised()
    {
        // The fixture set has a SegMoE pipeline; the theory above checks its numbers, this that it is there.
        var segmoe = PipelineDirs().Where(r =>
            File.Exists(Fixtures.Path(r, "unet", "config.json")) && File.ReadAllText(Fixtures.Path(r, "unet", "config.json")).Contains("\"segmoe_config\"")).ToList();
        Assert.NotEmpty(segmoe);
        var (code, stdout, _) = Info(Fixtures.Path(segmoe[0]));
        Assert.Equal(0, code);
        Assert.Contains("SegMoE (unet):", stdout);
    }

    public static TheoryData<string> WeightFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Root, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(12))
            data.Add(Path.GetRelativePath(Fixtures.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(WeightFiles))]
    public void FileJsonMatchesTheHeader(string relative)
    {
        string path = Fixtures.Path(relative);
        var (code, stdout, stderr) = Info("--json", path);
        Assert.True(code == 0, stderr);
        var f = JsonDocument.Parse(stdout).RootElement.GetProperty("files")[0];
        var sum = Sum(path);
        Assert.Equal(sum.Tensors, f.GetProperty("tensors").GetInt32());
        Assert.Equal(sum.Parameters, f.GetProperty("parameters").GetInt64());
        Assert.Equal(sum.DTypes, f.GetProperty("dtypes").EnumerateObject().Select(d => d.Name).ToHashSet());
        Assert.Equal(sum.Metadata, f.GetProperty("metadata").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!));
    }

    [Fact]
    public void TableShowsClassAndCountsOfEachComponent()
    {
        string dir = Fixtures.Path(PipelineDirs().First());
        var (code, stdout, _) = Info(dir);
        Assert.Equal(0, code);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model_index.json")));
        Assert.Contains(index.RootElement.GetProperty("_class_name").GetString()!, stdout);
        foreach (var p in index.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array && p.Value[1].ValueKind == JsonValueKind.String))
        {
            var line = stdout.Split('\n').FirstOrDefault(l => l.Contains($"│ {p.Name} "));
            Assert.True(line is not null, $"no row for {p.Name} in\n{stdout}");
            if (WeightFile(Path.Combine(dir, p.Name)) is { } w)
            {
                var sum = Sum(w);
                Assert.Contains(sum.Parameters.ToString("N0", CultureInfo.InvariantCulture), line);
                Assert.Contains($" {sum.Tensors} ", line);
            }
        }
    }

    [Fact]
    public void ShardedIndexIsDescribedAsOneCheckpoint()
    {
        string unet = WeightFile(Fixtures.Path(PipelineDirs().First(), "unet"))!;
        var sum = Sum(unet);
        using (var source = Penumbra.IO.SafetensorsTensorSource.Open(unet))
            Penumbra.IO.SafetensorsWriter.SaveSharded(_dir, "diffusion_pytorch_model",
                source.Keys.ToDictionary(k => k, k => source.Load(k)), maxShardBytes: sum.Parameters * 4 / 3);
        var (code, stdout, stderr) = Info("--json", Path.Combine(_dir, "diffusion_pytorch_model.safetensors.index.json"));
        Assert.True(code == 0, stderr);
        var f = JsonDocument.Parse(stdout).RootElement.GetProperty("files")[0];
        Assert.Equal(sum.Tensors, f.GetProperty("tensors").GetInt32());
        Assert.Equal(sum.Parameters, f.GetProperty("parameters").GetInt64());
        Assert.True(Directory.EnumerateFiles(_dir, "*-of-*.safetensors").Count() >= 3);
    }

    [Fact]
    public void MissingPathIsOneLineOnStderrAndExitCode1()
    {
        string path = Path.Combine(_dir, "nowhere");
        var (code, stdout, stderr) = Info(path);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(path, stderr);
        Assert.Contains("no such file or folder", stderr);
    }

    [Theory]
    [InlineData("broken.safetensors", "header length")]
    [InlineData("pytorch_model.bin", "convert it to safetensors")]
    [InlineData("notes.txt", "not a checkpoint")]
    public void MalformedFileIsOneLineOnStderrAndExitCode1(string name, string reason)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, (byte)'{', (byte)'}' });
        var (code, stdout, stderr) = Info(path, "--json");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"error: {path}: ", stderr);
        Assert.Contains(reason, stderr);
    }

    [Fact]
    public void ModelFolderWithOnlyAPickleSaysConvert()
    {
        string pipeline = Path.Combine(_dir, "pipe");
        Directory.CreateDirectory(Path.Combine(pipeline, "unet"));
        File.WriteAllText(Path.Combine(pipeline, "model_index.json"), """{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}""");
        File.WriteAllText(Path.Combine(pipeline, "unet", "config.json"), """{"_class_name": "UNet2DConditionModel"}""");
        File.WriteAllBytes(Path.Combine(pipeline, "unet", "diffusion_pytorch_model.bin"), new byte[] { 0x80, 0x02 });
        var (code, _, stderr) = Info(pipeline);
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("diffusion_pytorch_model.bin", stderr);
        Assert.Contains("convert it to safetensors", stderr);
    }

    [Fact]
    public void VariantSelectsTheVariantWeights()
    {
        string unet = Path.Combine(_dir, "unet");
        Directory.CreateDirectory(unet);
        File.WriteAllText(Path.Combine(unet, "config.json"), """{"_class_name": "UNet2DConditionModel"}""");
        Penumbra.IO.SafetensorsWriter.Save(Path.Combine(unet, "diffusion_pytorch_model.fp16.safetensors"), new Dictionary<string, TorchSharp.torch.Tensor>
        {
            ["a"] = TorchSharp.torch.zeros(new long[] { 3, 5 }, TorchSharp.torch.ScalarType.Float16),
            ["b"] = TorchSharp.torch.zeros(new long[] { 7 }, TorchSharp.torch.ScalarType.BFloat16),
        });
        var (code, _, stderr) = Info(unet, "--json");
        Assert.Equal(1, code);
        Assert.Contains("pass the variant", stderr);

        (code, var stdout, stderr) = Info(unet, "--json", "--variant", "fp16");
        Assert.True(code == 0, stderr);
        var c = JsonDocument.Parse(stdout).RootElement.GetProperty("components")[0];
        Assert.Equal("UNet2DConditionModel", c.GetProperty("class").GetString());
        Assert.Equal(2, c.GetProperty("tensors").GetInt32());
        Assert.Equal(22, c.GetProperty("parameters").GetInt64());
        Assert.Equal(1, c.GetProperty("dtypes").GetProperty("F16").GetInt32());
        Assert.Equal(1, c.GetProperty("dtypes").GetProperty("BF16").GetInt32());
    }
}
