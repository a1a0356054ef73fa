using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>diffusers' <c>FeedForward</c> with the GEGLU activation: <c>net.0</c> GEGLU (<c>net.0.proj</c>),
/// <c>net.1</c> dropout, <c>net.2</c> Linear back to <c>dim</c>.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> net;

    public FeedForward(long dim, long? dimOut = null, int mult = 4, double dropout = 0.0, string activationFn = "geglu",
        long? innerDim = null, bool bias = true) : base(nameof(FeedForward))
    {
        long inner = innerDim ?? dim * mult;
        nn.Module<Tensor, Tensor> act = activationFn switch
        {
            "geglu" => new GEGLU(dim, inner, bias),
            _ => throw new ArgumentException($"activation_fn: unsupported feed-forward activation '{activationFn}' (supported: geglu)"),
        };
        net = nn.ModuleList(act, nn.Dropout(dropout), nn.Linear(inner, dimOut ?? dim, hasBias: bias));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x;
        foreach (var m in net) h = m.call(h);
        return scope.MoveToOuter(h);
    }
}
