using TorchSharp;

namespace Penumbra.Runtime;

/// <summary>Where and in which precision models run: parsed from the <c>--device</c> / <c>--dtype</c> strings that every
/// command accepts (defaults <c>cpu</c>, <c>float32</c>).</summary>
public sealed record RuntimeOptions(torch.Device Device, torch.ScalarType DType)
{
    public const string DefaultDevice = "cpu";
    public const string DefaultDType = "float32";

    public static RuntimeOptions Default { get; } = new(torch.CPU, torch.ScalarType.Float32);

    /// <summary>Parses both strings (null = default); errors are <see cref="ArgumentException"/>s naming the option.</summary>
    public static RuntimeOptions Parse(string? device, string? dtype) =>
        new(DeviceParser.Parse(device ?? DefaultDevice), DTypeParser.Parse(dtype ?? DefaultDType));

    public override string ToString() => $"{Device} {DTypeParser.Name(DType)}";
}
