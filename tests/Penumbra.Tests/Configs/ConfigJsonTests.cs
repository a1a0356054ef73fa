using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.Configs;

public class ConfigJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-config").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A DPM-Solver-like config record: defaults as initial values, unknown keys kept.</summary>
    public sealed record SolverConfig
    {
        [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "DPMSolverMultistepScheduler";
        public int NumTrainTimesteps { get; init; } = 1000;
        public double BetaStart { get; init; } = 0.0001;
        public double LambdaMinClipped { get; init; } = double.NegativeInfinity;
        public float DynamicThresholdingRatio { get; init; } = 0.995f;
        public IntOrList? AttentionHeadDim { get; init; }
        public string? TimestepSpacing { get; init; } = "linspace";
        [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
    }

    /// <summary>Any config: only the class name typed, everything else kept as unknown keys.</summary>
    public sealed record AnyConfig
    {
        [JsonPropertyName("_class_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ClassName { get; init; }
        [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
    }

    [Fact]
    public void BarePythonNonFiniteTokensAreAccepted()
    {
        const string json = """
            {"_class_name": "X", "beta_start": NaN, "lambda_min_clipped": -Infinity, "dynamic_thresholding_ratio": Infinity,
             "prompt": "NaN and -Infinity stay text", "upper": Infinity, "nested": {"lo": -Infinity, "list": [NaN, 1.5]}}
            """;
        var c = ConfigJson.Parse<SolverConfig>(json);
        Assert.True(double.IsNaN(c.BetaStart));
        Assert.Equal(double.NegativeInfinity, c.LambdaMinClipped);
        Assert.Equal(float.PositiveInfinity, c.DynamicThresholdingRatio);
        Assert.Equal("NaN and -Infinity stay text", c.Extra!["prompt"].GetString());
        Assert.Equal(double.PositiveInfinity, ConfigJson.GetDouble(c.Extra["upper"]));
        Assert.Equal(double.NegativeInfinity, ConfigJson.GetDouble(c.Extra["nested"].GetProperty("lo")));
        Assert.True(double.IsNaN(ConfigJson.GetDouble(c.Extra["nested"].GetProperty("list")[0])));
        Assert.Equal(1.5, ConfigJson.GetDouble(c.Extra["nested"].GetProperty("list")[1]));
    }

    [Fact]
    public void MissingKeysGetTheRecordDefaults()
    {
        var c = ConfigJson.Parse<SolverConfig>("""{"beta_start": 0.00085}""");
        Assert.Equal(0.00085, c.BetaStart);
        Assert.Equal(1000, c.NumTrainTimesteps);
        Assert.Equal(double.NegativeInfinity, c.LambdaMinClipped);
        Assert.Equal("linspace", c.TimestepSpacing);
        Assert.Null(c.Extra);
    }

    [Fact]
    public void SaveWritesBareTokensAndKeepsUnknownKeys()
    {
        const string json = """
            {"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "beta_start": 0.00085,
             "attention_head_dim": [5, 10, 20, 20], "future_key": {"a": [1, "two", null], "b": NaN}, "flag": true}
            """;
        string path = Path.Combine(_dir, "scheduler_config.json");
        File.WriteAllText(path, json);
        var c = ConfigJson.Load<SolverConfig>(path);
        Assert.Equal(IntOrList.Of(5, 10, 20, 20), c.AttentionHeadDim);

        string saved = Path.Combine(_dir, "saved.json");
        ConfigJson.Save(saved, c);
        string text = File.ReadAllText(saved);
        Assert.Contains("\"lambda_min_clipped\": -Infinity", text);
        Assert.Contains("\"b\": NaN", text);
        Assert.DoesNotContain("\"NaN\"", text);
        Assert.DoesNotContain("\\uE000", text, StringComparison.OrdinalIgnoreCase);

        // Every key of the input survives with its value (compared as Python would read both files).
        var original = JsonNode.Parse(ConfigJson.NormalizePythonJson(json))!.AsObject();
        var written = JsonNode.Parse(ConfigJson.NormalizePythonJson(text))!.AsObject();
        foreach (var (key, value) in original)
            Assert.True(JsonNode.DeepEquals(value, written[key]), $"{key}: {value?.ToJsonString()} -> {written[key]?.ToJsonString()}");

        var reloaded = ConfigJson.Load<SolverConfig>(saved);
        Assert.Equal(c.AttentionHeadDim, reloaded.AttentionHeadDim);
        Assert.Equal(c.LambdaMinClipped, reloaded.LambdaMinClipped);
        Assert.Equal(c.Extra!.Keys.Order(), reloaded.Extra!.Keys.Order());
    }

    [Fact]
    public void IntOrListReadsScalarsAndLists()
    {
        Assert.True(ConfigJson.Parse<SolverConfig>("""{"attention_head_dim": 8}""").AttentionHeadDim!.IsScalar);
        Assert.Equal(new[] { 8, 8, 8 }, ConfigJson.Parse<SolverConfig>("""{"attention_head_dim": 8}""").AttentionHeadDim!.Expand(3));
        Assert.Null(ConfigJson.Parse<SolverConfig>("""{"attention_head_dim": null}""").AttentionHeadDim);
        Assert.Equal(IntOrList.Of(2, 4), ConfigJson.Parse<SolverConfig>("""{"attention_head_dim": [2, 4]}""").AttentionHeadDim);
    }

    [Theory]
    [InlineData("""{"attention_head_dim": [8, "x"]}""", "expected an integer in the list")]
    [InlineData("""{"attention_head_dim": 8.5}""", "expected a 32-bit integer")]
    [InlineData("""{"beta_start": "abc"}""", "expected a number")]
    [InlineData("""{"num_train_timesteps": [1]}""", "invalid config")]
    [InlineData("""{"beta_start": 0.1""", "invalid config")]
    [InlineData("""null""", "config is null")]
    public void BadConfigIsACheckpointFormatErrorNamingTheFile(string json, string reason)
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<CheckpointFormatException>(() => ConfigJson.Load<SolverConfig>(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(reason, e.Reason);
    }

    public static TheoryData<string> FixtureConfigs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Root, "*.json", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(f) is "config.json" or "scheduler_config.json" or "model_index.json" or "index.json")
                     .Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Fixtures.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureConfigs))]
    public void EveryFixtureConfigRoundTripsWithAllKeys(string relative)
    {
        string path = Fixtures.Path(relative);
        var c = ConfigJson.Load<AnyConfig>(path);
        string saved = Path.Combine(_dir, "roundtrip.json");
        ConfigJson.Save(saved, c);
        var original = ConfigJson.LoadObject(path);
        var written = ConfigJson.LoadObject(saved);
        Assert.Equal(original.Select(p => p.Key).Order(), written.Select(p => p.Key).Order());
        foreach (var (key, value) in original)
            Assert.True(JsonNode.DeepEquals(value, written[key]), $"{relative}: {key}");
    }

    [Fact]
    public void DpmSolverReferenceConfigHasNegativeInfinity()
    {
        // reference/schedulers/index.json spells diffusers' DPM-Solver default lambda_min_clipped = -inf as a bare token.
        string path = Fixtures.Path("reference", "schedulers", "index.json");
        var raw = File.ReadAllText(path);
        Assert.Contains("-Infinity", raw);
        var c = ConfigJson.Load<AnyConfig>(path);
        var clipped = FindAll(c.Extra!.Values, "lambda_min_clipped").ToList();
        Assert.NotEmpty(clipped);
        Assert.All(clipped, v => Assert.Equal(double.NegativeInfinity, ConfigJson.GetDouble(v)));
    }

    private static IEnumerable<JsonElement> FindAll(IEnumerable<JsonElement> roots, string key)
    {
        foreach (var e in roots)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == key) yield return p.Value;
                    foreach (var inner in FindAll(new[] { p.Value }, key)) yield return inner;
                }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var inner in FindAll(e.EnumerateArray(), key)) yield return inner;
        }
    }
}
