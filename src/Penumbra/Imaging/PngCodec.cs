using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Penumbra.Imaging;

/// <summary>
/// Minimal PNG encoder/decoder for 8-bit images (PNG spec, W3C 2003), so generation parameters can be embedded
/// as tEXt chunks (A1111-style tools read the "parameters" keyword). Reads non-interlaced 8-bit gray, gray+alpha,
/// RGB and RGBA with every filter type; writes RGB. Files are written atomically (temp + rename).
/// </summary>
public static class PngCodec
{
    private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

    public static void Write(string path, int width, int height, byte[] rgb, IReadOnlyDictionary<string, string>? text = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is not positive");
        if (rgb.Length != width * height * 3) throw new ArgumentException($"expected {width * height * 3} RGB bytes, got {rgb.Length}");
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        {
            fs.Write(Signature);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
            ihdr[8] = 8; // bit depth
            ihdr[9] = 2; // colour type RGB
            WriteChunk(fs, "IHDR", ihdr);
            foreach (var (key, value) in text ?? new Dictionary<string, string>())
                WriteChunk(fs, key.Length is > 0 and < 80 ? "tEXt" : throw new ArgumentException($"PNG text keyword '{key}' must be 1-79 characters"),
                    Encoding.Latin1.GetBytes(key).Concat(new byte[] { 0 }).Concat(Latin1Safe(value)).ToArray());
            using var raw = new MemoryStream();
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(rgb, y * width * 3, width * 3);
                }
            WriteChunk(fs, "IDAT", raw.ToArray());
            WriteChunk(fs, "IEND", Array.Empty<byte>());
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads an 8-bit PNG as RGB (alpha dropped, gray expanded) with its tEXt chunks.</summary>
    public static (int Width, int Height, byte[] Rgb, Dictionary<string, string> Text) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature)) throw new InvalidDataException($"{path}: not a PNG file");
        int pos = 8, width = 0, height = 0, colourType = -1;
        var idat = new MemoryStream();
        var text = new Dictionary<string, string>();
        while (pos + 8 <= bytes.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            string type = Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (len < 0 || pos + 12 + len > bytes.Length) throw new InvalidDataException($"{path}: truncated {type} chunk");
            var data = bytes.AsSpan(pos + 8, len);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8 || data[12] != 0) throw new InvalidDataException($"{path}: only 8-bit non-interlaced PNGs are supported");
                    colourType = data[9];
                    break;
                case "IDAT": idat.Write(data); break;
                case "tEXt":
                    int zero = data.IndexOf((byte)0);
                    if (zero > 0) text[Encoding.Latin1.GetString(data[..zero])] = Encoding.Latin1.GetString(data[(zero + 1)..]);
                    break;
            }
            pos += 12 + len;
            if (type == "IEND") break;
        }
        int channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"{path}: unsupported PNG colour type {colourType}") };
        int stride = width * channels;
        var pixels = new byte[height * stride];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            var prev = new byte[stride];
            var line = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                int filter = z.ReadByte();
                z.ReadExactly(line);
                Unfilter(filter, line, prev, channels, path);
                line.CopyTo(pixels, y * stride);
                (prev, line) = (line, prev);
            }
        }
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
            for (int c = 0; c < 3; c++)
                rgb[i * 3 + c] = pixels[i * channels + (channels < 3 ? 0 : c)];
        return (width, height, rgb, text);
    }

    private static void Unfilter(int filter, byte[] line, byte[] prev, int bpp, string path)
    {
        for (int i = 0; i < line.Length; i++)
        {
            int a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
            line[i] += filter switch
            {
                0 => 0,
                1 => (byte)a,
                2 => (byte)b,
                3 => (byte)((a + b) / 2),
                4 => (byte)Paeth(a, b, c),
                _ => throw new InvalidDataException($"{path}: bad PNG filter type {filter}"),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static byte[] Latin1Safe(string s) => Encoding.Latin1.GetBytes(new string(s.Select(ch => ch <= 0xFF ? ch : '?').ToArray()));

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32.Compute(typeBytes, data);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    private static class Crc32
    {
        private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            uint c = (uint)n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }).ToArray();

        public static uint Compute(byte[] a, byte[] b)
        {
            uint c = 0xFFFFFFFFu;
            foreach (var x in a) c = Table[(c ^ x) & 0xFF] ^ (c >> 8);
            foreach (var x in b) c = Table[(c ^ x) & 0xFF] ^ (c >> 8);
            return c ^ 0xFFFFFFFFu;
        }
    }
}
