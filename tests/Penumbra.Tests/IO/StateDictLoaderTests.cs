using Penumbra.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.IO;

public class StateDictLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-sd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Keys: lin.weight [2,3], lin.bias [2], norm.weight [2], norm.bias [2], steps [] (I64 buffer).</summary>
    private sealed class TinyNet : nn.Module<Tensor, Tensor>
    {
        private readonly Linear lin = nn.Linear(3, 2);
        private readonly LayerNorm norm = nn.LayerNorm(2);
        private readonly Tensor steps = torch.zeros(Array.Empty<long>(), dtype: int64);

        public TinyNet() : base(nameof(TinyNet)) => RegisterComponents();

        public override Tensor forward(Tensor x) => norm.call(lin.call(x));
    }

    private string Write(Dictionary<string, Tensor> tensors)
    {
        string path = Path.Combine(_dir, $"w{Guid.NewGuid():N}.safetensors");
        SafetensorsWriter.Save(path, tensors);
        return path;
    }

    private static Dictionary<string, Tensor> Full(ScalarType dtype = ScalarType.Float32) => new()
    {
        ["lin.weight"] = torch.randn(2, 3).to_type(dtype),
        ["lin.bias"] = torch.randn(2).to_type(dtype),
        ["norm.weight"] = torch.randn(2).to_type(dtype),
        ["norm.bias"] = torch.randn(2).to_type(dtype),
        ["steps"] = torch.tensor(7L),
    };

    [Fact]
    public void LoadsEveryKey()
    {
        var tensors = Full();
        using var net = new TinyNet();
        using var source = SafetensorsTensorSource.Open(Write(tensors));
        StateDictLoader.Load(net, source);
        var sd = net.state_dict();
        foreach (var (k, t) in tensors) Assert.True(SafetensorsRoundTripTests.Same(t, sd[k]), k);
    }

    [Fact]
    public void OneErrorListsEveryMissingUnexpectedAndMismatchedKey()
    {
        var tensors = Full();
        tensors.Remove("norm.bias");
        tensors.Remove("steps");
        tensors["lin.weight"] = torch.randn(2, 4);
        tensors["extra.weight"] = torch.randn(1);
        tensors["norm.running_mean"] = torch.randn(2);
        tensors["lin.bias"] = torch.ones(2, dtype: int32);
        string path = Write(tensors);
        using var net = new TinyNet();
        var before = net.state_dict()["lin.weight"].clone();
        using var source = SafetensorsTensorSource.Open(path);

        var e = Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(net, source));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("cannot load into TinyNet: 6 problem(s)", e.Reason);
        Assert.Contains("missing key 'norm.bias' (shape [2])", e.Reason);
        Assert.Contains("missing key 'steps' (shape [])", e.Reason);
        Assert.Contains("unexpected key 'extra.weight'", e.Reason);
        Assert.Contains("unexpected key 'norm.running_mean'", e.Reason);
        Assert.Contains("shape mismatch for 'lin.weight': checkpoint [2,4], model [2,3]", e.Reason);
        Assert.Contains("dtype mismatch for 'lin.bias': checkpoint Int32, model Float32", e.Reason);
        // Nothing was copied.
        Assert.True(SafetensorsRoundTripTests.Same(before, net.state_dict()["lin.weight"]));
    }

    [Fact]
    public void HalfPrecisionFileFillsAFloat32Module()
    {
        var tensors = Full(ScalarType.Float16);
        using var net = new TinyNet();
        using var source = SafetensorsTensorSource.Open(Write(tensors));
        StateDictLoader.Load(net, source);
        var sd = net.state_dict();
        foreach (var k in new[] { "lin.weight", "lin.bias", "norm.weight", "norm.bias" })
        {
            Assert.Equal(ScalarType.Float32, sd[k].dtype);
            Assert.True(SafetensorsRoundTripTests.Same(tensors[k].to_type(ScalarType.Float32), sd[k]), k);
        }
    }

    [Fact]
    public void OptionalKeysMayBeMissingOrExtra()
    {
        var tensors = Full();
        tensors.Remove("steps");
        tensors["model.position_ids"] = torch.arange(4);
        using var net = new TinyNet();
        using var source = SafetensorsTensorSource.Open(Write(tensors));
        StateDictLoader.Load(net, source, optionalKeys: new[] { "steps", "model.position_ids" });
        Assert.Equal(0L, net.state_dict()["steps"].item<long>());
        Assert.True(SafetensorsRoundTripTests.Same(tensors["lin.weight"], net.state_dict()["lin.weight"]));
    }

    [Fact]
    public void NonStrictSkipsMissingAndUnexpectedButNotShapes()
    {
        var tensors = new Dictionary<string, Tensor> { ["lin.bias"] = torch.randn(2), ["other"] = torch.ones(1) };
        using var net = new TinyNet();
        using (var source = SafetensorsTensorSource.Open(Write(tensors)))
            StateDictLoader.Load(net, source, strict: false);
        Assert.True(SafetensorsRoundTripTests.Same(tensors["lin.bias"], net.state_dict()["lin.bias"]));

        using var bad = SafetensorsTensorSource.Open(Write(new Dictionary<string, Tensor> { ["lin.bias"] = torch.randn(3) }));
        Assert.Contains("shape mismatch for 'lin.bias'", Assert.Throws<CheckpointFormatException>(() => StateDictLoader.Load(net, bad, strict: false)).Reason);
    }
}
