using System.Globalization;
using TorchSharp;

namespace Penumbra.Runtime;

/// <summary>Parses a device option: <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>. A CUDA device is checked
/// against what libtorch reports, so a CPU-only build or a missing GPU is an error that says so.</summary>
public static class DeviceParser
{
    public const string Accepted = "cpu, cuda or cuda:N";

    public static torch.Device Parse(string text, string argument = "--device") =>
        Parse(text, argument, torch.cuda.is_available, torch.cuda.device_count);

    /// <summary>As <see cref="Parse(string, string)"/> with the CUDA probes given (tests).</summary>
    internal static torch.Device Parse(string text, string argument, Func<bool> cudaAvailable, Func<int> cudaDeviceCount)
    {
        string s = (text ?? "").Trim().ToLowerInvariant();
        if (s == "cpu") return torch.CPU;
        int index;
        if (s == "cuda") index = 0;
        else if (s.StartsWith("cuda:", StringComparison.Ordinal)
                 && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index)) { }
        else throw new ArgumentException($"{argument} '{text}': not a device; use {Accepted}");

        if (!cudaAvailable())
            throw new ArgumentException($"{argument} '{text}': CUDA was requested but torch.cuda.is_available() is false "
                                        + "(no NVIDIA GPU/driver, or a CPU-only libtorch: build with -p:PenumbraDevice=cuda); use --device cpu");
        int count = cudaDeviceCount();
        if (index >= count)
            throw new ArgumentException($"{argument} '{text}': there {(count == 1 ? "is 1 CUDA device" : $"are {count} CUDA devices")} (cuda:0..cuda:{count - 1})");
        return new torch.Device(DeviceType.CUDA, index);
    }
}
