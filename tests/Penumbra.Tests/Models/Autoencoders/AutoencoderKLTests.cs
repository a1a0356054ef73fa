using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Autoencoders;

public class AutoencoderKLTests
{
    /// <summary>fixtures/README.md "Tolerances": module-level references, max abs diff &lt;= 1e-4.</summary>
    private const double ModuleTolerance = 1e-4;

    private readonly ITestOutputHelper _output;

    public AutoencoderKLTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Cases => new() { { "tiny-sd/vae", "reference/vae.safetensors" } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReferencePosteriorAndDecodings(string weights, string reference)
    {
        using var vae = AutoencoderKL.FromPretrained(Fixtures.Path(weights));
        using var refs = SafetensorsFile.Open(Fixtures.Path(reference));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        using var posterior = vae.Encode(refs.Load("in.image"));
        var actual = new Dictionary<string, Tensor>
        {
            ["out.posterior_mean"] = posterior.Mean,
            ["out.posterior_logvar"] = posterior.LogVar,
            ["out.posterior_std"] = posterior.Std,
            ["out.decoded"] = vae.Decode(refs.Load("in.latent")),
            ["out.decoded_posterior_mean"] = vae.Decode(posterior.Mode()),
        };
        var outputs = refs.Keys.Where(k => k.StartsWith("out.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(outputs, actual.Keys.Order(StringComparer.Ordinal));
        var errors = outputs.Select(k => (Name: k, Error: MaxAbs(actual[k], refs.Load(k)))).ToList();
        foreach (var (name, error) in errors) _output.WriteLine($"{reference} {name}: max abs error {error:E2}");
        Assert.All(errors, e => Assert.True(e.Error <= ModuleTolerance, $"{e.Name}: max abs error {e.Error:E3} > {ModuleTolerance}"));
        var configured = Penumbra.Configs.ConfigJson.LoadObject(Fixtures.Path(weights, "config.json"))["scaling_factor"]!.GetValue<double>();
        Assert.Equal(configured, vae.ScalingFactor);
    }

    [Fact]
    public void SampleIsMeanPlusStdTimesGeneratorNoise()
    {
        using var vae = AutoencoderKL.FromPretrained(Fixtures.Path("tiny-sd", "vae"));
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "vae.safetensors"));
        using var mode = inference_mode();
        using var posterior = vae.Encode(refs.Load("in.image"));
        var a = posterior.Sample(new Generator(7));
        var noise = randn(posterior.Mean.shape, generator: new Generator(7));
        Assert.True((a - (posterior.Mean + posterior.Std * noise)).abs().max().item<float>() < 1e-6);
        Assert.True((posterior.Sample(new Generator(8)) - a).abs().max().item<float>() > 0);
    }

    [Fact]
    public void SavePretrainedRoundTrips()
    {
        var dir = Directory.CreateTempSubdirectory("vae-save").FullName;
        try
        {
            using var vae = AutoencoderKL.FromPretrained(Fixtures.Path("tiny-sd", "vae"));
            vae.SavePretrained(dir);
            using var loaded = AutoencoderKL.FromPretrained(dir);
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(vae.Config, Penumbra.Configs.ConfigJson.Options),
                System.Text.Json.JsonSerializer.Serialize(loaded.Config, Penumbra.Configs.ConfigJson.Options));
            using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "vae.safetensors"));
            using var mode = inference_mode();
            var image = refs.Load("in.image");
            Assert.Equal(0f, (vae.call(image) - loaded.call(image)).abs().max().item<float>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnknownBlockTypeIsNamed()
    {
        var c = new AutoencoderKLConfig { BlockOutChannels = new[] { 32, 64 }, NormNumGroups = 8,
            DownBlockTypes = new[] { "DownEncoderBlock2D", "AttnDownEncoderBlock2D" }, UpBlockTypes = new[] { "UpDecoderBlock2D", "UpDecoderBlock2D" } };
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderKL(c));
        Assert.Contains("down_block_types[1]", e.Message);
        Assert.Contains("'AttnDownEncoderBlock2D'", e.Message);
    }

    private static double MaxAbs(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().item<float>();
    }
}
