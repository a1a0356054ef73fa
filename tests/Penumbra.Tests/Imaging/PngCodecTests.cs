using System.IO.Compression;
using Penumbra.Imaging;

namespace Penumbra.Tests.Imaging;

public class PngCodecTests
{
    [Fact]
    public void RoundTripKeepsPixelsAndTextChunks()
    {
        var rng = new Random(3);
        var rgb = new byte[7 * 5 * 3];
        rng.NextBytes(rgb);
        var path = Path.GetTempFileName();
        try
        {
            PngCodec.Write(path, 7, 5, rgb, new Dictionary<string, string> { ["parameters"] = "a red circle\nSteps: 4, Seed: 0" });
            var (w, h, back, text) = PngCodec.Read(path);
            Assert.Equal((7, 5), (w, h));
            Assert.Equal(rgb, back);
            Assert.Equal("a red circle\nSteps: 4, Seed: 0", text["parameters"]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void WrittenFileHasValidChunkCrcs()
    {
        var path = Path.GetTempFileName();
        try
        {
            PngCodec.Write(path, 2, 1, new byte[] { 255, 0, 0, 0, 0, 255 });
            var bytes = File.ReadAllBytes(path);
            // IHDR CRC of a 2x1 8-bit RGB image, computed independently with Python's zlib.crc32(b"IHDR" + data).
            Assert.Equal(new byte[] { 0x7B, 0x40, 0xE8, 0xDD }, bytes[29..33]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadsPaethAndSubFilteredGrayAlphaImage()
    {
        // Hand-made 2x2 gray+alpha PNG: row 0 filter Sub, row 1 filter Paeth.
        var raw = new byte[] { 1, 10, 255, 5, 0, 4, 3, 0, 1, 1 };
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, true)) z.Write(raw);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, HandMadePng(2, 2, 4, ms.ToArray()));
            var (_, _, rgb, _) = PngCodec.Read(path);
            // Row 0 (Sub): gray 10, 10+5=15. Row 1 (Paeth, a=left,b=up,c=up-left): px0: b=10 -> 10+3=13; px1: a=13,b=15,c=10 -> p=18 -> closest b=15 -> 16.
            Assert.Equal(new byte[] { 10, 10, 10, 15, 15, 15, 13, 13, 13, 16, 16, 16 }, rgb);
        }
        finally { File.Delete(path); }
    }

    private static byte[] HandMadePng(int w, int h, byte colourType, byte[] idat)
    {
        var o = new List<byte> { 137, 80, 78, 71, 13, 10, 26, 10 };
        void Chunk(string type, byte[] data)
        {
            o.AddRange(BitConverter.GetBytes(data.Length).Reverse());
            o.AddRange(System.Text.Encoding.ASCII.GetBytes(type));
            o.AddRange(data);
            o.AddRange(new byte[4]); // CRC is not checked by the reader
        }
        Chunk("IHDR", BitConverter.GetBytes(w).Reverse().Concat(BitConverter.GetBytes(h).Reverse()).Concat(new byte[] { 8, colourType, 0, 0, 0 }).ToArray());
        Chunk("IDAT", idat);
        Chunk("IEND", Array.Empty<byte>());
        return o.ToArray();
    }
}
