using TorchSharp;

namespace Penumbra.Runtime;

/// <summary>Parses a dtype option: <c>float32|fp32</c>, <c>float16|fp16|half</c>, <c>bfloat16|bf16</c> (case-insensitive).</summary>
public static class DTypeParser
{
    public const string Accepted = "float32 (fp32), float16 (fp16, half) or bfloat16 (bf16)";

    public static torch.ScalarType Parse(string text, string argument = "--dtype") =>
        (text ?? "").Trim().ToLowerInvariant() switch
        {
            "float32" or "fp32" => torch.ScalarType.Float32,
            "float16" or "fp16" or "half" => torch.ScalarType.Float16,
            "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
            _ => throw new ArgumentException($"{argument} '{text}': not a supported dtype; use {Accepted}"),
        };

    /// <summary>The canonical option spelling of a supported dtype (<c>float32</c>, <c>float16</c>, <c>bfloat16</c>).</summary>
    public static string Name(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentException($"{type} is not a runtime dtype; use {Accepted}"),
    };
}
