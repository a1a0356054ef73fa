using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Checkpoints;

/// <summary>
/// The dtype a model computes in, given the dtype its weights are stored in, the device, and what the user asked for.
/// Asked for: that (with a note for float16 on the CPU, where libtorch has few half-precision kernels). Not asked for:
/// on a GPU the stored half type; on the CPU float32, since float16 matmuls and convolutions there are slow or missing
/// (bfloat16 is the half type that CPUs run; the note says how to ask for it).
/// </summary>
public static class ComputeDType
{
    public static (ScalarType DType, string? Note) Choose(ScalarType stored, Device device, ScalarType? requested)
    {
        bool cpu = device.type == DeviceType.CPU;
        if (requested is { } r)
            return (r, cpu && r == ScalarType.Float16
                ? "float16 compute on the CPU is slow and some kernels lack it; bfloat16 or float32 are the CPU's choices" : null);
        bool half = stored is ScalarType.Float16 or ScalarType.BFloat16;
        if (!half) return (ScalarType.Float32, null);
        if (!cpu) return (stored, null);
        return (ScalarType.Float32, $"weights are stored in {Name(stored)}; computing in float32 on the CPU (converted on load; --dtype bfloat16 halves the memory)");
    }

    private static string Name(ScalarType t) => t == ScalarType.BFloat16 ? "bfloat16" : t == ScalarType.Float16 ? "float16" : t.ToString();
}
