using System.Buffers.Binary;
using System.Text.Json;
using Penumbra.IO;
using Penumbra.Tests.Support;

namespace Penumbra.Tests.IO;

/// <summary>Every tensor of every .safetensors file under the fixture root loads with the dtype and shape its header
/// states, and with exactly the header's bytes. The header is parsed here independently of SafetensorsFile.</summary>
public class FixtureCheckpointTests
{
    private static readonly Dictionary<string, (string Torch, int Size)> DTypes = new()
    {
        ["F64"] = ("Float64", 8), ["F32"] = ("Float32", 4), ["F16"] = ("Float16", 2), ["BF16"] = ("BFloat16", 2),
        ["I64"] = ("Int64", 8), ["I32"] = ("Int32", 4), ["I16"] = ("Int16", 2), ["I8"] = ("Int8", 1),
        ["U8"] = ("Byte", 1), ["BOOL"] = ("Bool", 1),
    };

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Fixtures.Root, "*.safetensors", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Fixtures.Root, f));
        return data;
    }

    [Fact]
    public void FixtureRootHasCheckpoints() => Assert.NotEmpty(Files());

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryTensorLoadsAsItsHeaderSays(string relative)
    {
        string path = Fixtures.Path(relative);
        string real = FileLinks.Resolve(path);
        using var stream = File.OpenRead(real);
        var lenBytes = new byte[8];
        stream.ReadExactly(lenBytes);
        var header = new byte[BinaryPrimitives.ReadUInt64LittleEndian(lenBytes)];
        stream.ReadExactly(header);
        long dataStart = 8 + header.Length;
        using var doc = JsonDocument.Parse(header);

        using var file = SafetensorsFile.Open(path);
        int count = 0;
        foreach (var entry in doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
        {
            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * DTypes[dtype].Size, offsets[1] - offsets[0]);

            using var t = file.Load(entry.Name);
            Assert.Equal(DTypes[dtype].Torch, t.dtype.ToString());
            Assert.Equal(shape, t.shape);
            var expected = new byte[offsets[1] - offsets[0]];
            stream.Position = dataStart + offsets[0];
            stream.ReadExactly(expected);
            Assert.True(expected.AsSpan().SequenceEqual(t.bytes), $"{relative}: '{entry.Name}' bytes differ");
            count++;
        }
        Assert.Equal(count, file.Keys.Count);
    }
}
