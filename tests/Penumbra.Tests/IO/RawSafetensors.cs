using System.Buffers.Binary;
using System.Text;

namespace Penumbra.Tests.IO;

/// <summary>Builds safetensors bytes by hand (header text + data), independent of <c>SafetensorsWriter</c>,
/// so tests can write exactly the valid or broken file they describe.</summary>
internal static class RawSafetensors
{
    /// <summary>8-byte little-endian header length (<paramref name="declaredLength"/> if given), header, data.</summary>
    public static byte[] Build(string headerJson, byte[] data, ulong? declaredLength = null) =>
        Build(Encoding.UTF8.GetBytes(headerJson), data, declaredLength);

    public static byte[] Build(byte[] header, byte[] data, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>A small valid file: F32 [2,2] (16 bytes), I64 [] (8 bytes), U8 [0] (0 bytes), BOOL [3] (3 bytes),
    /// F16 [2] (4 bytes), metadata {"format": "pt"}.</summary>
    public static byte[] Valid()
    {
        const string header = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"b.step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]},"
            + "\"c.empty\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[24,24]},"
            + "\"d.mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[24,27]},"
            + "\"e.half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[27,31]}}";
        var data = new List<byte>();
        foreach (var f in new[] { 1f, -2f, 0.5f, 3.25f }) data.AddRange(BitConverter.GetBytes(f));
        data.AddRange(BitConverter.GetBytes(42L));
        data.AddRange(new byte[] { 1, 0, 1 });
        data.AddRange(BitConverter.GetBytes((Half)1.5));
        data.AddRange(BitConverter.GetBytes((Half)(-0.25)));
        return Build(header, data.ToArray());
    }
}
