using System.Text.Json;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Uncertainty;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

public class EmoeEstimatorTests(ITestOutputHelper output)
{
    private static string ModelFolder => Fixtures.Path("moe", "tiny-segmoe");

    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("reference", "emoe.json"))).RootElement;

    [Fact]
    public void SplitLayerIsTheFirstCrossAttentionMoeBlockOfTheModel()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        string expected = Reference().GetProperty("split").GetString()!;
        Assert.Equal(expected, new EmoeEstimator(moe).SplitBlock(new EmoeOptions()) + ".attn2");
    }

    [Fact]
    public void EuMapAndMPostMatchTheReferenceInBothModes()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "segmoe.safetensors"));
        var estimator = new EmoeEstimator(moe);
        var cases = Reference().GetProperty("cases").EnumerateArray().ToArray();
        int tensorsChecked = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            string prompt = c.GetProperty("prompt").GetString()!;
            long seed = c.GetProperty("seed").GetInt64();
            foreach (var mode in new[] { EmoeMode.Expert, EmoeMode.Routed })
            {
                using var result = estimator.Score(prompt, new EmoeOptions { Seed = seed, Mode = mode });
                string suffix = mode == EmoeMode.Expert ? "" : "_routed";
                double expected = c.GetProperty(mode == EmoeMode.Expert ? "eu_expert" : "eu_routed").GetDouble();
                double rel = Math.Abs(result.Eu - expected) / Math.Abs(expected);
                output.WriteLine($"case {i} {mode}: eu {result.Eu:E6} ref {expected:E6} rel {rel:E2} t {result.Timestep}");
                Assert.Equal(c.GetProperty("timestep").GetDouble(), result.Timestep);
                Assert.True(rel <= 1e-3, $"case {i} {mode}: eu {result.Eu} vs {expected} (rel {rel})");
                if (refs.Contains($"emoe.m_post{suffix}.{i}"))
                {
                    double mPost = MaxAbs(result.PathLatents, refs.Load($"emoe.m_post{suffix}.{i}"));
                    double map = MaxAbs(result.Map, refs.Load($"emoe.map{suffix}.{i}"));
                    output.WriteLine($"case {i} {mode}: m_post max abs {mPost:E2}, map max abs {map:E2}");
                    Assert.True(mPost <= 1e-4, $"case {i} {mode}: m_post max abs {mPost}");
                    Assert.True(map <= 1e-5, $"case {i} {mode}: map max abs {map}");
                    tensorsChecked++;
                }
            }
        }
        Assert.True(tensorsChecked > 0, "reference/segmoe.safetensors holds no emoe.m_post.<i> / emoe.map.<i> (fixtures README §9)");
    }

    private static double MaxAbs(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }
}
