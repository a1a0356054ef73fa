using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>diffusers' <c>get_activation</c>: the activation module named by a config string (<c>act_fn</c>,
/// <c>time_embedding_act_fn</c>, ...). Activations have no weights, so they add no state-dict keys.</summary>
public static class Activations
{
    public static nn.Module<Tensor, Tensor> Create(string name, string key = "act_fn") => name.ToLowerInvariant() switch
    {
        "silu" or "swish" => nn.SiLU(),
        "mish" => nn.Mish(),
        "gelu" => nn.GELU(),
        "relu" => nn.ReLU(),
        _ => throw new ArgumentException($"{key}: unsupported activation function '{name}' (supported: silu, swish, mish, gelu, relu)"),
    };
}
