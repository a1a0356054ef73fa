using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Tests.IO;

public class SafetensorsRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-st").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Bit-identical: same dtype, shape and bytes.</summary>
    internal static bool Same(torch.Tensor a, torch.Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    public static TheoryData<string> DTypes => new("F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL");

    /// <summary>Values that use the dtype's range: signs, fractions and extremes where the type has them.</summary>
    private static torch.Tensor Sample(string dtype, long[] shape, int seed)
    {
        var g = new torch.Generator((ulong)seed);
        Assert.True(SafetensorsDType.TryParse(dtype, out var type, out _));
        return dtype switch
        {
            "F32" or "F16" or "BF16" or "F64" => (torch.randn(shape, generator: g, dtype: torch.float64) * 100).to_type(type),
            "I64" => torch.randint(long.MinValue / 2, long.MaxValue / 2, shape, generator: g, dtype: torch.int64),
            "I32" => torch.randint(int.MinValue, int.MaxValue, shape, generator: g, dtype: torch.int64).to_type(type),
            "I16" => torch.randint(short.MinValue, short.MaxValue, shape, generator: g, dtype: torch.int64).to_type(type),
            "I8" => torch.randint(sbyte.MinValue, sbyte.MaxValue, shape, generator: g, dtype: torch.int64).to_type(type),
            "U8" => torch.randint(0, 256, shape, generator: g, dtype: torch.int64).to_type(type),
            "BOOL" => torch.randint(0, 2, shape, generator: g, dtype: torch.int64).to_type(type),
            _ => throw new ArgumentException(dtype),
        };
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void EveryDTypeRoundTripsBitExactIncludingScalarAndEmptyTensors(string dtype)
    {
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["matrix"] = Sample(dtype, new long[] { 3, 5 }, 1),
            ["scalar"] = Sample(dtype, Array.Empty<long>(), 2),
            ["empty"] = Sample(dtype, new long[] { 0 }, 3),
            ["empty.inner"] = Sample(dtype, new long[] { 2, 0, 4 }, 4),
            ["vector"] = Sample(dtype, new long[] { 7 }, 5),
        };
        string path = Path.Combine(_dir, dtype + ".safetensors");
        SafetensorsWriter.Save(path, tensors);

        using var f = SafetensorsFile.Open(path);
        Assert.Equal(tensors.Keys.Order(), f.Keys.Order());
        foreach (var (name, expected) in tensors)
        {
            var info = f.Info(name);
            Assert.Equal(dtype, info.DType);
            Assert.Equal(expected.shape, info.Shape);
            using var loaded = f.Load(name);
            Assert.Equal(expected.dtype, loaded.dtype);
            Assert.Equal(expected.shape, loaded.shape);
            Assert.Equal(expected.bytes.ToArray(), loaded.bytes.ToArray());
            Assert.Equal(expected.bytes.ToArray(), f.ReadBytes(name));
        }
    }

    [Fact]
    public void WriterProducesTheSpecifiedByteLayout()
    {
        // Written out by hand from the format description: u64 LE header length, JSON header with sorted keys and
        // offsets relative to the data section, padded with spaces to a multiple of 8, then the raw LE bytes.
        string path = Path.Combine(_dir, "layout.safetensors");
        SafetensorsWriter.Save(path, new Dictionary<string, torch.Tensor>
        {
            ["b"] = torch.tensor(new short[] { 1, -1 }),
            ["a"] = torch.tensor(new[] { 1f, 2f }),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        var header = Encoding.UTF8.GetBytes(json.PadRight((json.Length + 7) / 8 * 8));
        var expected = new List<byte>();
        var len = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        expected.AddRange(len);
        expected.AddRange(header);
        expected.AddRange(new byte[] { 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 1, 0, 0xff, 0xff });
        Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void MetadataRoundTripsAndIsOmittedWhenEmpty()
    {
        string path = Path.Combine(_dir, "meta.safetensors");
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\" [x]" };
        SafetensorsWriter.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(2) }, meta);
        using (var f = SafetensorsFile.Open(path)) Assert.Equal(meta, f.Metadata);

        string bare = Path.Combine(_dir, "bare.safetensors");
        SafetensorsWriter.Save(bare, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(2) });
        using (var f = SafetensorsFile.Open(bare)) Assert.Empty(f.Metadata);
        Assert.DoesNotContain("__metadata__", Encoding.UTF8.GetString(File.ReadAllBytes(bare)));
    }

    [Fact]
    public void ReservedNameIsRejectedByTheWriter()
    {
        var e = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Save(Path.Combine(_dir, "r.safetensors"),
            new Dictionary<string, torch.Tensor> { ["__metadata__"] = torch.ones(1) }));
        Assert.Contains("reserved", e.Message);
    }

    [Fact]
    public void LoadConvertsDTypeOnRequest()
    {
        string path = Path.Combine(_dir, "half.safetensors");
        var half = Sample("F16", new long[] { 4, 4 }, 9);
        SafetensorsWriter.Save(path, new Dictionary<string, torch.Tensor> { ["w"] = half });
        using var f = SafetensorsFile.Open(path);
        using var loaded = f.Load("w", torch.float32);
        Assert.Equal(torch.float32, loaded.dtype);
        Assert.True(Same(loaded, half.to_type(torch.float32)));
    }

    [Fact]
    public void BlockwiseCopyEqualsOneCopy()
    {
        // The path taken by tensors above 2 GB, exercised with blocks of 3 elements (12 bytes) on a small tensor.
        string path = Path.Combine(_dir, "blocks.safetensors");
        var x = torch.arange(0, 100, dtype: torch.float32).reshape(10, 10);
        SafetensorsWriter.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = x });
        using var f = SafetensorsFile.Open(path);
        using var t = torch.zeros(10, 10);
        f.CopyInto(f.Info("x"), t, blockBytes: 12);
        Assert.True(Same(t, x));
    }

    [Fact]
    public void ShardedWriterSplitsByByteLimitAndReadsBack()
    {
        var tensors = Enumerable.Range(0, 7).ToDictionary(i => $"layer.{i}.weight", i => Sample("F32", new long[] { 4, 4 + i }, 20 + i));
        tensors["layer.big"] = Sample("F16", new long[] { 80 }, 40);
        // 16*(4..10) float bytes per tensor = 64..160 bytes... limit 300: shards close before exceeding it.
        string index = SafetensorsWriter.SaveSharded(_dir, "diffusion_pytorch_model", tensors, maxShardBytes: 300);
        Assert.Equal(Path.Combine(_dir, "diffusion_pytorch_model.safetensors.index.json"), index);

        var expected = new List<List<string>>();
        long current = 0;
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            long bytes = tensors[name].numel() * tensors[name].element_size();
            if (expected.Count == 0 || current + bytes > 300) { expected.Add(new List<string>()); current = 0; }
            expected[^1].Add(name);
            current += bytes;
        }
        Assert.True(expected.Count >= 3);

        using var doc = JsonDocument.Parse(File.ReadAllText(index));
        Assert.Equal(tensors.Values.Sum(t => t.numel() * t.element_size()), doc.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var weightMap = doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        for (int i = 0; i < expected.Count; i++)
        {
            string file = $"diffusion_pytorch_model-{i + 1:D5}-of-{expected.Count:D5}.safetensors";
            Assert.True(File.Exists(Path.Combine(_dir, file)), file);
            foreach (var k in expected[i]) Assert.Equal(file, weightMap[k]);
            using var shard = SafetensorsFile.Open(Path.Combine(_dir, file));
            Assert.True(shard.Tensors.Sum(t => t.ByteLength) <= 300 || shard.Keys.Count == 1);
        }

        using var source = SafetensorsTensorSource.Open(index);
        Assert.Equal(tensors.Keys.Order(), source.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            using var loaded = source.Load(name);
            Assert.True(Same(loaded, t), name);
        }
        Assert.False(File.Exists(Path.Combine(_dir, "diffusion_pytorch_model.safetensors")));

        // Saving again under a larger limit gives one plain file and removes the old shards and index.
        string single = SafetensorsWriter.SaveSharded(_dir, "diffusion_pytorch_model", tensors, maxShardBytes: 1 << 20);
        Assert.Equal(Path.Combine(_dir, "diffusion_pytorch_model.safetensors"), single);
        Assert.Equal(new[] { "diffusion_pytorch_model.safetensors" }, Directory.EnumerateFiles(_dir).Select(Path.GetFileName));
    }

    private string WriteShardedPair()
    {
        SafetensorsWriter.Save(Path.Combine(_dir, "m-00001-of-00002.safetensors"), new Dictionary<string, torch.Tensor> { ["a"] = torch.ones(2), ["c"] = torch.ones(1) });
        SafetensorsWriter.Save(Path.Combine(_dir, "m-00002-of-00002.safetensors"), new Dictionary<string, torch.Tensor> { ["b"] = torch.ones(3) });
        return Path.Combine(_dir, "m.safetensors.index.json");
    }

    [Theory]
    [InlineData("{\"weight_map\":{\"a\":\"m-00001-of-00002.safetensors\",\"c\":\"m-00001-of-00002.safetensors\",\"b\":\"m-00003-of-00002.safetensors\"}}", "does not exist")]
    [InlineData("{\"weight_map\":{\"a\":\"m-00002-of-00002.safetensors\",\"b\":\"m-00001-of-00002.safetensors\"}}",
        "weight_map puts 'a' in m-00002-of-00002.safetensors, but it is stored in m-00001-of-00002.safetensors")]
    [InlineData("{\"weight_map\":{\"a\":\"m-00001-of-00002.safetensors\",\"c\":\"m-00001-of-00002.safetensors\",\"b\":\"m-00002-of-00002.safetensors\",\"x\":\"m-00001-of-00002.safetensors\"}}",
        "weight_map says 'x' is in m-00001-of-00002.safetensors, but that shard has no such tensor")]
    [InlineData("{\"weight_map\":{\"a\":\"m-00001-of-00002.safetensors\"}}", "holds tensor 'c', which the weight_map does not list")]
    [InlineData("{\"weight_map\":{\"a\":\"../m-00001-of-00002.safetensors\"}}", "is not a plain file name")]
    [InlineData("{\"weight_map\":[]}", "no 'weight_map' object")]
    [InlineData("[1]", "index is not a JSON object")]
    [InlineData("{\"weight_map\":{\"a\":", "index is not valid JSON")]
    public void InconsistentShardIndexIsACheckpointFormatError(string indexJson, string reason)
    {
        string index = WriteShardedPair();
        File.WriteAllText(index, indexJson);
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsTensorSource.Open(index).Dispose());
        Assert.Equal(index, e.FilePath);
        Assert.Contains(reason, e.Reason);
    }
}
