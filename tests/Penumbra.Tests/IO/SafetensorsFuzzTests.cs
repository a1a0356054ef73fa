using System.Buffers.Binary;
using System.Text;
using Penumbra.IO;
using Xunit.Abstractions;

namespace Penumbra.Tests.IO;

/// <summary>Seeded random mutations of a valid file (byte flips, truncations, header edits, length-prefix edits):
/// opening and loading every tensor either succeeds with the header's dtypes and shapes or throws a
/// CheckpointFormatException; never another exception type, a crash or a hang.</summary>
public class SafetensorsFuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 2400;
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task RandomMutationsGiveOnlyCheckpointFormatExceptions()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-fuzz").FullName;
        try
        {
            var baseBytes = RawSafetensors.Valid();
            int rejected = 0, accepted = 0;
            var failures = new List<string>();
            var run = Task.Run(() =>
            {
                for (int seed = 0; seed < Mutations; seed++)
                {
                    var rng = new Random(seed);
                    var (bytes, what) = Mutate(baseBytes, rng);
                    string path = Path.Combine(dir, $"m{seed % 8}.safetensors");
                    File.WriteAllBytes(path, bytes);
                    try
                    {
                        using var f = SafetensorsFile.Open(path);
                        foreach (var info in f.Tensors)
                        {
                            using var t = f.Load(info.Name);
                            if (t.dtype != info.ScalarType || !t.shape.SequenceEqual(info.Shape))
                                failures.Add($"seed {seed} ({what}): '{info.Name}' loaded as {t.dtype} {string.Join(",", t.shape)}");
                        }
                        accepted++;
                    }
                    catch (CheckpointFormatException e)
                    {
                        if (!e.Message.StartsWith(path + ": ", StringComparison.Ordinal))
                            failures.Add($"seed {seed} ({what}): message does not name the file: {e.Message}");
                        rejected++;
                    }
                    catch (Exception e)
                    {
                        failures.Add($"seed {seed} ({what}): {e.GetType().Name}: {e.Message}");
                    }
                }
            });
            Assert.True(await Task.WhenAny(run, Task.Delay(Budget)) == run, $"fuzz run did not finish within {Budget} (hang?)");
            await run;
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
            Assert.Equal(Mutations, accepted + rejected);
            output.WriteLine($"{Mutations} mutations: {accepted} opened and loaded, {rejected} rejected");
            // The mutations must reach both outcomes, or they test nothing.
            Assert.True(rejected > Mutations / 4, $"only {rejected} rejected");
            Assert.True(accepted > 20, $"only {accepted} accepted");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (byte[] Bytes, string What) Mutate(byte[] source, Random rng)
    {
        var bytes = (byte[])source.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        switch (rng.Next(7))
        {
            case 0:
            {
                int n = 1 + rng.Next(4);
                for (int i = 0; i < n; i++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                return (bytes, $"{n} bit flips");
            }
            case 1:
            {
                int at = rng.Next(8, headerEnd);
                bytes[at] = (byte)rng.Next(256);
                return (bytes, $"header byte {at} replaced");
            }
            case 2:
            {
                int len = rng.Next(bytes.Length);
                return (bytes[..len], $"truncated to {len}");
            }
            case 3:
            {
                // Replace one number of the header by another (often near the original, sometimes extreme).
                string header = Encoding.UTF8.GetString(bytes, 8, headerEnd - 8);
                var numbers = System.Text.RegularExpressions.Regex.Matches(header, "-?[0-9]+");
                var m = numbers[rng.Next(numbers.Count)];
                long v = long.Parse(m.Value);
                string replacement = rng.Next(6) switch
                {
                    0 => (v + 1).ToString(),
                    1 => (v - 1).ToString(),
                    2 => "-" + m.Value.TrimStart('-'),
                    3 => "99999999999999999999999",
                    4 => rng.NextInt64().ToString(),
                    _ => "1.5e3",
                };
                string edited = header[..m.Index] + replacement + header[(m.Index + m.Length)..];
                return (Rebuild(edited, bytes[headerEnd..]), $"number '{m.Value}' at {m.Index} -> {replacement}");
            }
            case 4:
            {
                // Swap a dtype name for another, valid or not.
                string header = Encoding.UTF8.GetString(bytes, 8, headerEnd - 8);
                string[] dtypes = { "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "C64", "" };
                var m = System.Text.RegularExpressions.Regex.Matches(header, "\"dtype\":\"([A-Z0-9_]+)\"");
                var g = m[rng.Next(m.Count)].Groups[1];
                string to = dtypes[rng.Next(dtypes.Length)];
                return (Rebuild(header[..g.Index] + to + header[(g.Index + g.Length)..], bytes[headerEnd..]), $"dtype {g.Value} -> '{to}'");
            }
            case 5:
            {
                // Delete or insert a run of characters in the header text.
                string header = Encoding.UTF8.GetString(bytes, 8, headerEnd - 8);
                int at = rng.Next(header.Length);
                if (rng.Next(2) == 0)
                {
                    int n = Math.Min(1 + rng.Next(6), header.Length - at);
                    return (Rebuild(header.Remove(at, n), bytes[headerEnd..]), $"deleted {n} chars at {at}");
                }
                string[] inserts = { "{", "}", "[", "]", ",", "\"", ":", "null", "\"x\":1,", "[[[[[[[[[[", "\\u0000", "é", "\uFFFF" };
                string ins = inserts[rng.Next(inserts.Length)];
                return (Rebuild(header.Insert(at, ins), bytes[headerEnd..]), $"inserted '{ins}' at {at}");
            }
            default:
            {
                // Edit the 8-byte length prefix.
                ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                ulong edited = rng.Next(4) switch
                {
                    0 => len + (ulong)rng.Next(1, 16),
                    1 => len - (ulong)rng.Next(1, 16),
                    2 => (ulong)rng.NextInt64(),
                    _ => len ^ (1UL << rng.Next(64)),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, edited);
                return (bytes, $"length prefix {len} -> {edited}");
            }
        }
    }

    private static byte[] Rebuild(string header, byte[] data) => RawSafetensors.Build(header, data);
}
