using Penumbra.Checkpoints;
using Penumbra.IO;
using Penumbra.Tests.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Checkpoints;

/// <summary>Single files loaded into models (built on the meta device, then filled from the file): reference outputs,
/// precision, EMA selection. Runs alone (the meta device is a process-wide default).</summary>
[Collection(nameof(MetaDeviceCollection))]
public class SingleFileLoadTests
{
    /// <summary>fixtures/README.md "Tolerances": module-level references, max abs diff &lt;= 1e-4.</summary>
    private const double ModuleTolerance = 1e-4;

    private readonly ITestOutputHelper _output;

    public SingleFileLoadTests(ITestOutputHelper output) => _output = output;

    private static string TinySd => Fixtures.Path("single-file", "tiny-sd.safetensors");

    [Fact]
    public void LoadedComponentsMatchTheReferenceOutputs()
    {
        // The LDM layout does not record the tiny models' GroupNorm group count (8): take the configs from the folder.
        using var checkpoint = SingleFileCheckpoint.Open(TinySd, new SingleFileOptions { ConfigFolder = Fixtures.Path("tiny-sd") });
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        using (var unet = checkpoint.LoadUNet())
        using (var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors")))
        {
            Assert.Equal(DeviceType.CPU, unet.parameters().First().device_type);
            var y = unet.call(refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states"));
            Check("unet out", y, refs.Load("out"));
        }
        using (var text = checkpoint.LoadTextEncoder())
        using (var refs = SafetensorsFile.Open(Fixtures.Path("reference", "text_encoder.safetensors")))
        using (var output = text.Forward(refs.Load("in.input_ids")))
            Check("text_encoder out.last_hidden_state", output.LastHiddenState, refs.Load("out.last_hidden_state"));
        using (var vae = checkpoint.LoadVae())
        using (var refs = SafetensorsFile.Open(Fixtures.Path("reference", "vae.safetensors")))
            Check("vae out.decoded", vae.Decode(refs.Load("in.latent")), refs.Load("out.decoded"));
    }

    [Fact]
    public void Sd2UNetMatchesTheReferenceOutput()
    {
        using var checkpoint = SingleFileCheckpoint.Open(Fixtures.Path("single-file", "tiny-sd2.safetensors"),
            new SingleFileOptions { ConfigFolder = Fixtures.Path("tiny-sd2") });
        Assert.Equal(LdmTextEncoderKind.OpenClip, checkpoint.Configs.TextEncoderKind);
        Assert.Equal("v_prediction", checkpoint.Configs.Scheduler.PredictionType);
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        using var unet = checkpoint.LoadUNet();
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd2.safetensors"));
        Check("sd2 unet out", unet.call(refs.Load("in.sample"), refs.Load("in.timestep").to(ScalarType.Int64), refs.Load("in.encoder_hidden_states")), refs.Load("out"));
    }

    [Fact]
    public void Fp16FileComputedInFp32EqualsAnFp32CopyOfTheSameValues()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-fp16-").FullName;
        try
        {
            string half = Path.Combine(dir, "half.safetensors"), full = Path.Combine(dir, "full.safetensors");
            using (var src = SafetensorsTensorSource.Open(TinySd))
            {
                var h = src.Keys.ToDictionary(k => k, k => src.Load(k, ScalarType.Float16));
                SafetensorsWriter.Save(half, h);
                var f = h.ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32));
                SafetensorsWriter.Save(full, f);
                foreach (var d in h.Values.Concat(f.Values)) d.Dispose();
            }
            var options = new SingleFileOptions { ConfigFolder = Fixtures.Path("tiny-sd") };
            using var halfFile = SingleFileCheckpoint.Open(half, options);
            using var fullFile = SingleFileCheckpoint.Open(full, options);
            Assert.Equal(ScalarType.Float16, halfFile.StoredDType);
            Assert.Equal(ScalarType.Float32, fullFile.StoredDType);
            using var a = halfFile.LoadUNet(dtype: ScalarType.Float32);
            using var b = fullFile.LoadUNet(dtype: ScalarType.Float32);
            Assert.All(a.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            using var mode = inference_mode();
            using var scope = NewDisposeScope();
            using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
            var x = refs.Load("in.sample");
            var t = refs.Load("in.timestep").to(ScalarType.Int64);
            var c = refs.Load("in.encoder_hidden_states");
            double diff = a.call(x, t, c).sub(b.call(x, t, c)).abs().max().item<float>();
            _output.WriteLine($"fp16 file / fp32 compute vs fp32 copy: max abs diff {diff:E2}");
            Assert.Equal(0.0, diff);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void EmaWeightsAreUsedOnlyWhenAskedForAsInDiffusers()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-ema-").FullName;
        try
        {
            string both = Path.Combine(dir, "both.safetensors");
            string key = LdmPrefixes.UNet + "input_blocks.0.0.bias";
            using (var src = SafetensorsTensorSource.Open(TinySd))
            {
                var tensors = src.Keys.ToDictionary(k => k, k => src.Load(k));
                foreach (var k in src.Keys.Where(k => k.StartsWith(LdmPrefixes.UNet, StringComparison.Ordinal)))
                    tensors[LdmPrefixes.EmaKey(k[LdmPrefixes.UNet.Length..])] = tensors[k].neg();
                tensors["model_ema.decay"] = tensor(0.9999f);
                SafetensorsWriter.Save(both, tensors);
                foreach (var t in tensors.Values) t.Dispose();
            }
            Assert.Contains("model_ema.diffusion_modelinput_blocks00bias", LdmPrefixes.EmaKey("input_blocks.0.0.bias"));
            using var expected = SafetensorsTensorSource.Open(TinySd).Load(key);

            using (var plain = SingleFileCheckpoint.Open(both))
            {
                Assert.False(plain.Layout.UsesEma);
                Assert.Contains(plain.Notes, n => n.Contains("non-EMA"));
                using var w = plain.UNet.Load("conv_in.bias");
                Assert.True(SingleFileKeyMapTests.BitIdentical(expected, w));
            }
            using (var ema = SingleFileCheckpoint.Open(both, new SingleFileOptions { ExtractEma = true }))
            {
                Assert.True(ema.Layout.UsesEma);
                using var w = ema.UNet.Load("conv_in.bias");
                using var negated = expected.neg();
                Assert.True(SingleFileKeyMapTests.BitIdentical(negated, w));
                ema.Validate();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AMissingOrUnexpectedTensorIsNamedByItsOriginalKey()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-bad-").FullName;
        try
        {
            string file = Path.Combine(dir, "bad.safetensors");
            string dropped = LdmPrefixes.UNet + "input_blocks.1.1.proj_out.bias", extra = LdmPrefixes.UNet + "input_blocks.1.1.extra.weight";
            using (var src = SafetensorsTensorSource.Open(TinySd))
            {
                var tensors = src.Keys.Where(k => k != dropped).ToDictionary(k => k, k => src.Load(k));
                tensors[extra] = zeros(3);
                SafetensorsWriter.Save(file, tensors);
                foreach (var t in tensors.Values) t.Dispose();
            }
            using var checkpoint = SingleFileCheckpoint.Open(file);
            var e = Assert.Throws<CheckpointFormatException>(() => checkpoint.Validate());
            _output.WriteLine(e.Message);
            Assert.Contains(dropped, e.Message);
            Assert.Contains(extra, e.Message);
            Assert.Contains("missing", e.Message);
            Assert.Contains("unexpected", e.Message);
            Assert.Throws<CheckpointFormatException>(() => checkpoint.LoadUNet());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private void Check(string name, Tensor actual, Tensor expected)
    {
        double err = actual.sub(expected).abs().max().item<float>();
        _output.WriteLine($"{name}: max abs error {err:E2}");
        Assert.True(err <= ModuleTolerance, $"{name}: max abs error {err} > {ModuleTolerance}");
    }
}
