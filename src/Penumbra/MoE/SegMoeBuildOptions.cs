using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>How <see cref="SegMoeBuilder"/> runs: device and dtype of the models (default CPU, float32), the gate runs'
/// settings (segmoe's pipeline defaults: 25 steps, guidance 7.5, the UNet's default image size), progress and cancellation.</summary>
public sealed record SegMoeBuildOptions
{
    public Device? Device { get; init; }
    public ScalarType DType { get; init; } = ScalarType.Float32;
    public int Steps { get; init; } = 25;
    public double GuidanceScale { get; init; } = 7.5;
    public int? Height { get; init; }
    public int? Width { get; init; }
    public IProgress<SegMoeBuildProgress>? Progress { get; init; }
    public CancellationToken CancellationToken { get; init; }
}
