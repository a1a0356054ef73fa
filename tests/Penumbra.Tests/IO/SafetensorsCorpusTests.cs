using System.Text;
using Penumbra.IO;

namespace Penumbra.Tests.IO;

/// <summary>Malformed files, each written out by hand: every one gives exactly one CheckpointFormatException that
/// names the file and the reason.</summary>
public class SafetensorsCorpusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("penumbra-corpus").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string F32(string name, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    /// <summary>Case name -> (file name, bytes, a phrase the reason must contain).</summary>
    public static TheoryData<string> Cases => new(Corpus().Keys);

    private static Dictionary<string, (string File, byte[] Bytes, string Reason)> Corpus()
    {
        var valid = RawSafetensors.Valid();
        var zeros16 = new byte[16];
        return new()
        {
            ["empty file"] = ("empty.safetensors", Array.Empty<byte>(), "file is empty"),
            ["shorter than the length prefix"] = ("short.safetensors", new byte[] { 1, 2, 3 }, "shorter than the 8-byte header length"),
            ["truncated in the data"] = ("trunc-data.safetensors", valid[..^5], "run past the data section"),
            ["truncated in the header"] = ("trunc-header.safetensors", valid[..40], "runs past the end of the file"),
            ["header too long"] = ("huge-header.safetensors",
                RawSafetensors.Build("{}", Array.Empty<byte>(), declaredLength: 100UL * 1024 * 1024 + 1), "exceeds the limit of 104857600 bytes"),
            ["header length beyond EOF"] = ("beyond.safetensors",
                RawSafetensors.Build("{}", Array.Empty<byte>(), declaredLength: 4096), "header length 4096 runs past the end of the file"),
            ["overlapping offsets"] = ("overlap.safetensors",
                RawSafetensors.Build("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[2]", 4, 12) + "}", new byte[12]), "overlap"),
            ["offsets out of range"] = ("range.safetensors",
                RawSafetensors.Build("{" + F32("a", "[4]", 0, 16) + "}", new byte[8]), "run past the data section (8 bytes)"),
            ["gap between tensors"] = ("gap.safetensors",
                RawSafetensors.Build("{" + F32("a", "[1]", 0, 4) + "," + F32("b", "[2]", 8, 16) + "}", zeros16), "gap in the data section before offset 8"),
            ["bytes after the last tensor"] = ("tail.safetensors",
                RawSafetensors.Build("{" + F32("a", "[2]", 0, 8) + "}", zeros16), "data section has 16 bytes but tensors cover 8"),
            ["shape/size mismatch"] = ("mismatch.safetensors",
                RawSafetensors.Build("{" + F32("a", "[2,2]", 0, 12) + "}", new byte[12]), "needs 16 bytes but data_offsets span 12"),
            ["begin after end"] = ("reversed.safetensors",
                RawSafetensors.Build("{" + F32("a", "[0]", 8, 0) + "}", new byte[8]), "are not 0 <= begin <= end"),
            ["shape overflows"] = ("overflow.safetensors",
                RawSafetensors.Build("{" + F32("a", "[4294967296,4294967296]", 0, 0) + "}", Array.Empty<byte>()), "overflows"),
            ["bad JSON"] = ("badjson.safetensors",
                RawSafetensors.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", new byte[4]), "header is not valid JSON"),
            ["header is not an object"] = ("array.safetensors", RawSafetensors.Build("[1,2]", Array.Empty<byte>()), "header does not start with '{'"),
            ["non-UTF-8 header"] = ("latin1.safetensors",
                RawSafetensors.Build(Encoding.Latin1.GetBytes("{\"caf\u00e9\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"), new byte[4]),
                "header is not valid UTF-8"),
            ["unknown dtype"] = ("dtype.safetensors",
                RawSafetensors.Build("{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "unknown or unsupported dtype 'F31'"),
            ["negative dimension"] = ("negdim.safetensors",
                RawSafetensors.Build("{" + F32("a", "[-1,4]", 0, 16) + "}", zeros16), "shape entry '-1' is not a non-negative integer"),
            ["fractional dimension"] = ("fracdim.safetensors",
                RawSafetensors.Build("{" + F32("a", "[2.5]", 0, 10) + "}", new byte[10]), "shape entry '2.5' is not a non-negative integer"),
            ["duplicate tensor key"] = ("dupkey.safetensors",
                RawSafetensors.Build("{" + F32("a", "[1]", 0, 4) + "," + F32("a", "[1]", 4, 8) + "}", new byte[8]), "tensor 'a' appears twice"),
            ["duplicate metadata key"] = ("dupmeta.safetensors",
                RawSafetensors.Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", Array.Empty<byte>()), "__metadata__ key 'k' appears twice"),
            ["duplicate field in an entry"] = ("dupfield.safetensors",
                RawSafetensors.Build("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "field 'dtype' appears twice"),
            ["metadata value not a string"] = ("metaval.safetensors",
                RawSafetensors.Build("{\"__metadata__\":{\"step\":3}}", Array.Empty<byte>()), "__metadata__ value 'step' is not a string"),
            ["missing data_offsets"] = ("nooffsets.safetensors",
                RawSafetensors.Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "data_offsets must be [begin, end]"),
            ["pickle .bin"] = ("pytorch_model.bin", new byte[] { 0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e, 0, 0 }, "pickle checkpoint, which is not supported"),
            ["pickle .ckpt"] = ("model.ckpt", Encoding.ASCII.GetBytes("PK\u0003\u0004 zip of a pickle"), "convert it to safetensors"),
            ["zip pickle named .safetensors"] = ("renamed.safetensors", Encoding.ASCII.GetBytes("PK\u0003\u0004\u0014\u0000\u0000\u0000 archive/data.pkl"),
                "PyTorch pickle/zip checkpoint"),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MalformedFileGivesOneCheckpointFormatException(string caseName)
    {
        var (file, bytes, reason) = Corpus()[caseName];
        string path = Path.Combine(_dir, file);
        File.WriteAllBytes(path, bytes);
        // Assert.Throws demands exactly this type (no subclass, no wrapper).
        var e = Assert.Throws<CheckpointFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(reason, e.Reason);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TheValidBaseOfTheCorpusOpens()
    {
        string path = Path.Combine(_dir, "valid.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Valid());
        using var f = SafetensorsFile.Open(path);
        Assert.Equal(5, f.Keys.Count);
        Assert.Equal("pt", f.Metadata["format"]);
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        string path = Path.Combine(_dir, "absent.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
    }
}
