using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

public class SegMoeModelTests
{
    /// <summary>fixtures/README.md "Tolerances": SegMoE UNet (<c>out</c>, <c>out_k1</c>) max abs diff &lt;= 1e-4; routes exact;
    /// gates read from <c>moe/tiny-segmoe</c> exact.</summary>
    private const double UnetTolerance = 1e-4;

    private readonly ITestOutputHelper _output;

    public SegMoeModelTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TinySegMoeMatchesReferenceOutputsRoutesAndGates()
    {
        using var model = SegMoeModel.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "segmoe.safetensors"));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();

        var gateKeys = refs.Keys.Where(k => k.StartsWith("gates.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(gateKeys.Select(k => k["gates.".Length..]), model.Blocks.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(model.Blocks.Keys, p => p.StartsWith("mid_block", StringComparison.Ordinal));
        foreach (var key in gateKeys)
            Assert.True(MaxAbs(model.Blocks[key["gates.".Length..]].Gate.weight!, refs.Load(key)) == 0, $"{key} differs");

        var sample = refs.Load("in.sample");
        var context = refs.Load("in.encoder_hidden_states");
        var timesteps = refs.Load("in.timestep").to(ScalarType.Int64);
        foreach (var (outKey, routePrefix, topK) in new[] { ("out", "route.", (int?)null), ("out_k1", "route_k1.", 1) })
        {
            model.Routing.TopK = topK;
            var output = model.Unet.call(sample, timesteps, context);
            double error = MaxAbs(output, refs.Load(outKey));
            _output.WriteLine($"{outKey}: max abs error {error:E2}");
            Assert.True(error <= UnetTolerance, $"{outKey}: max abs error {error:E3} > {UnetTolerance}");
            foreach (var (path, block) in model.Blocks)
            {
                var expected = refs.Load(routePrefix + path).data<long>().Select(i => (int)i).ToArray();
                var call = block.LastCall!;
                Assert.Single(call.Selections);
                _output.WriteLine($"{routePrefix}{path}: [{string.Join(",", call.Selections[0])}]");
                Assert.Equal(expected, call.Selections[0]);
            }
        }
    }

    [Fact]
    public void SummaryDescribesTheFolderFromHeaders()
    {
        var summary = SegMoeSummary.Describe(Fixtures.Path("moe", "tiny-segmoe"));
        using var model = SegMoeModel.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        using var plain = SafetensorsTensorSource.Open(Fixtures.Path("tiny-sd", "unet", "diffusion_pytorch_model.safetensors"));
        Assert.Equal(model.Blocks.Count, summary.MoeLayerCount);
        Assert.Equal((4, 2, "all"), (summary.NumExperts, summary.TopK, summary.MoeLayers));
        Assert.Equal(model.Unet.parameters().Sum(p => p.numel()), summary.UnetParameters);
        Assert.Equal(plain.Keys.Sum(k => plain.Info(k).ElementCount), summary.SingleUnetParameters);
        Assert.NotNull(summary.PipelineRatio);
        Assert.Equal(summary, summary with { });
        Assert.Equal(summary.SingleUnetParameters, SegMoeSummary.Describe(Fixtures.Path("moe", "tiny-segmoe", "unet")).SingleUnetParameters);
        _output.WriteLine($"tiny-segmoe: {summary.MoeLayerCount} MoE layers, UNet {summary.UnetParameters:N0} vs {summary.SingleUnetParameters:N0} " +
            $"(x{summary.UnetRatio:F3}), pipeline {summary.PipelineParameters:N0} vs {summary.SinglePipelineParameters:N0} (x{summary.PipelineRatio:F3})");
    }

    internal static double MaxAbs(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().item<float>();
    }
}
