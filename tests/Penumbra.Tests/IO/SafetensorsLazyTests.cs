using System.Text;
using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Tests.IO;

public class SafetensorsLazyTests
{
    /// <summary>A 3 GiB tensor (a sparse file: its data is a hole, nothing is stored) followed by a small one at an
    /// offset above 2^31. Opening the file and loading the small tensor must not read the big one: the managed heap
    /// grows by far less than the file, and the small tensor's values come from the right offset.</summary>
    [Fact]
    public void OpeningAndLoadingOneTensorDoesNotReadTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-lazy").FullName;
        try
        {
            const long big = 3L << 30;
            string header = $"{{\"big\":{{\"dtype\":\"U8\",\"shape\":[{big}],\"data_offsets\":[0,{big}]}},"
                + $"\"small\":{{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[{big},{big + 16}]}}}}";
            var headerBytes = Encoding.UTF8.GetBytes(header);
            string path = Path.Combine(dir, "sparse.safetensors");
            using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                fs.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
                fs.Write(headerBytes);
                fs.SetLength(8 + headerBytes.Length + big + 16);
                fs.Seek(8 + headerBytes.Length + big, SeekOrigin.Begin);
                foreach (var v in new[] { 1.5f, -2f, 3f, 1e-3f }) fs.Write(BitConverter.GetBytes(v));
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            using var f = SafetensorsFile.Open(path);
            using var small = f.Load("small");
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(new[] { 1.5f, -2f, 3f, 1e-3f }, small.data<float>().ToArray());
            Assert.Equal(new[] { big }, f.Info("big").Shape);
            Assert.True(allocated < 1 << 20, $"opening + loading one tensor allocated {allocated} bytes");
            Assert.Equal(torch.ScalarType.Byte, f.Info("big").ScalarType);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A tensor above 2 GB (int32 span limit) loads through the blockwise copy: 2.25 GiB of U8 in a sparse file,
    /// zero except for marker bytes at the start, across the 1 GiB block boundaries and at the end.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void TensorAboveTwoGigabytesLoads()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-big").FullName;
        try
        {
            const long big = (9L << 30) / 4;
            var headerBytes = Encoding.UTF8.GetBytes($"{{\"big\":{{\"dtype\":\"U8\",\"shape\":[{big}],\"data_offsets\":[0,{big}]}}}}");
            string path = Path.Combine(dir, "big.safetensors");
            long dataStart = 8 + headerBytes.Length;
            var marks = new Dictionary<long, byte> { [0] = 7, [(1L << 30) - 1] = 11, [1L << 30] = 13, [(2L << 30) + 5] = 17, [big - 1] = 19 };
            using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write))
            {
                fs.Write(BitConverter.GetBytes((ulong)headerBytes.Length));
                fs.Write(headerBytes);
                fs.SetLength(dataStart + big);
                foreach (var (at, v) in marks)
                {
                    fs.Seek(dataStart + at, SeekOrigin.Begin);
                    fs.WriteByte(v);
                }
            }
            using var f = SafetensorsFile.Open(path);
            using var t = f.Load("big");
            Assert.Equal(new[] { big }, t.shape);
            foreach (var (at, v) in marks) Assert.Equal(v, t[at].item<byte>());
            Assert.Equal(marks.Count, t.count_nonzero().item<long>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
