using Penumbra.Build;
using TorchSharp;

namespace Penumbra.Tests.Build;

public class TorchSharpLoadTests
{
    [Fact]
    public void NativeBackendLoadsAndComputesInTestProcess()
    {
        using var a = torch.arange(16, torch.ScalarType.Float32).reshape(4, 4);
        using var b = a.matmul(a);
        // (A·A)[0,0] = Σ_k A[0,k]·A[k,0] = 0·0 + 1·4 + 2·8 + 3·12 = 56
        Assert.Equal(56f, b[0, 0].item<float>());
    }

    [Fact]
    public void OutputCopyOfLibTorchSharpNeedsNoVersionTheSystemLacks()
    {
        if (!OperatingSystem.IsLinux()) return;
        var lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        var needs = ElfWeakVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(lib));
        Assert.Contains(needs, n => n.Version.StartsWith("GLIBCXX_"));
        var missing = ElfWeakVersionPatcher.MissingFromSystem(needs.Where(n => n.File.StartsWith("libstdc++")).Select(n => n.Version));
        foreach (var n in needs.Where(n => missing.Contains(n.Version)))
            Assert.True((n.Flags & 2) != 0, $"{n.Version} is missing from the system libstdc++ but not weak in {lib}");
    }

    [Fact]
    public void PatchIsIdempotentAndOnlyTouchesTheNamedVersion()
    {
        if (!OperatingSystem.IsLinux()) return;
        var lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        var copy = System.IO.Path.GetTempFileName();
        File.Copy(lib, copy, true);
        try
        {
            var before = ElfWeakVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(copy));
            ElfWeakVersionPatcher.Patch(copy, new[] { "GLIBCXX_3.4.32" });
            Assert.Equal(0, ElfWeakVersionPatcher.Patch(copy, new[] { "GLIBCXX_3.4.32" }));
            var after = ElfWeakVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(copy));
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                ushort expected = before[i].Version == "GLIBCXX_3.4.32" ? (ushort)(before[i].Flags | 2) : before[i].Flags;
                Assert.Equal(expected, after[i].Flags);
            }
        }
        finally { File.Delete(copy); }
    }
}
