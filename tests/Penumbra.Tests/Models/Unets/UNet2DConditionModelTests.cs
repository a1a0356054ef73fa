using Penumbra.IO;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Unets;

public class UNet2DConditionModelTests
{
    /// <summary>fixtures/README.md "Tolerances": module-level references, max abs diff &lt;= 1e-4.</summary>
    private const double ModuleTolerance = 1e-4;

    private readonly ITestOutputHelper _output;

    public UNet2DConditionModelTests(ITestOutputHelper output) => _output = output;

    /// <summary>(weights folder, reference file) of fixtures/README.md sections 1 and 2.</summary>
    public static TheoryData<string, string> Cases => new()
    {
        { "tiny-sd/unet", "reference/unet_sd1.safetensors" },
        { "tiny-sd2/unet", "reference/unet_sd2.safetensors" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReferenceOutputsAndTaps(string weights, string reference)
    {
        using var model = UNet2DConditionModel.FromPretrained(Fixtures.Path(weights));
        using var refs = SafetensorsFile.Open(Fixtures.Path(reference));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var sample = refs.Load("in.sample");
        var context = refs.Load("in.encoder_hidden_states");
        var timesteps = refs.Load("in.timestep").to(ScalarType.Int64);

        var tapNames = refs.Keys.Where(k => k.StartsWith("taps.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(tapNames);
        using var taps = new ModuleTaps(model).Capture(tapNames.Select(k => k["taps.".Length..]).ToArray());
        var output = model.call(sample, timesteps, context);
        taps.RemoveHooks();
        var scalar = model.Forward(sample, refs.Load("in.timestep_scalar").item<float>(), context);

        var errors = new List<(string Name, double Error)> { ("out", MaxAbs(output, refs.Load("out"))), ("out_scalar_t", MaxAbs(scalar, refs.Load("out_scalar_t"))) };
        foreach (var name in tapNames)
            errors.Add((name, MaxAbs(taps.Captured[name["taps.".Length..]], refs.Load(name))));
        foreach (var (name, error) in errors) _output.WriteLine($"{reference} {name}: max abs error {error:E2}");
        Assert.All(errors, e => Assert.True(e.Error <= ModuleTolerance, $"{e.Name}: max abs error {e.Error:E3} > {ModuleTolerance}"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardToMidBlockReturnsTheMidBlockOutput(string weights, string reference)
    {
        using var model = UNet2DConditionModel.FromPretrained(Fixtures.Path(weights));
        using var refs = SafetensorsFile.Open(Fixtures.Path(reference));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var mid = model.ForwardToMidBlock(refs.Load("in.sample"), refs.Load("in.timestep"), refs.Load("in.encoder_hidden_states"));
        Assert.True(MaxAbs(mid, refs.Load("taps.mid_block")) <= ModuleTolerance);
    }

    internal static double MaxAbs(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().item<float>();
    }
}
