using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Penumbra.Runtime;

/// <summary>
/// libtorch 2.10's oneDNN convolutions are wrong on AMD Zen 5 (CPU family 26, seen on an "AMD EPYC" with
/// avx512_vp2intersect): small-channel float32 convolutions differ from float64 by up to 80 % and sometimes return NaN,
/// so training goes NaN within its first steps. Capping oneDNN at AVX2 only made it rarer; SSE4.1 removed it. On such a
/// CPU this sets <c>DNNL_MAX_CPU_ISA=SSE41</c> before libtorch creates its first primitive (oneDNN reads the variable
/// once, from the C environment, so it is set with libc's setenv). A value the user already set is kept.
/// </summary>
public static class OneDnnWorkaround
{
    public const string Variable = "DNNL_MAX_CPU_ISA";

    /// <summary>The ISA oneDNN is capped at on an affected CPU.</summary>
    public const string CappedIsa = "SSE41";

    /// <summary>Whether the cap was applied in this process.</summary>
    public static bool Applied { get; private set; }

    // A library module initializer on purpose: it must run before any Penumbra code reaches libtorch, whichever entry
    // point (CLI, tests, benchmarks, a user's program) loads the assembly first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) return;
        if (!IsAffectedCpu(ReadCpuInfo())) return;
        Applied = setenv(Variable, CappedIsa, 0) == 0;
    }

    /// <summary>AMD family 26 (Zen 5) with AVX-512, from the text of /proc/cpuinfo.</summary>
    public static bool IsAffectedCpu(string cpuinfo)
    {
        string? Field(string name) => cpuinfo.Split('\n')
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim() == name)
            .Select(p => p[1].Trim()).FirstOrDefault();
        return Field("vendor_id") == "AuthenticAMD" && Field("cpu family") == "26"
               && (Field("flags") ?? "").Split(' ').Contains("avx512f");
    }

    private static string ReadCpuInfo()
    {
        try { return File.ReadAllText("/proc/cpuinfo"); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
