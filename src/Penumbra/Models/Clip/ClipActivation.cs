using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>ACT2FN</c> entries CLIP checkpoints use (<c>hidden_act</c>).</summary>
public static class ClipActivation
{
    public static readonly IReadOnlyList<string> Known = new[] { "quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish" };

    public static void Check(string name, string what)
    {
        if (!Known.Contains(name))
            throw new ArgumentException($"{what}: unsupported hidden_act '{name}' (known: {string.Join(", ", Known)})");
    }

    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "quick_gelu" => x * torch.sigmoid(1.702 * x),
        "gelu" => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        "relu" => nn.functional.relu(x),
        "silu" or "swish" => nn.functional.silu(x),
        _ => throw new ArgumentException($"unsupported hidden_act '{name}'"),
    };
}
