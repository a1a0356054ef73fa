using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Attention;

/// <summary>diffusers' <c>GEGLU</c>: <c>proj</c> to twice the width, split in half, <c>h * gelu(gate)</c>.</summary>
public sealed class GEGLU : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public GEGLU(long dimIn, long dimOut, bool bias = true) : base(nameof(GEGLU))
    {
        proj = nn.Linear(dimIn, dimOut * 2, hasBias: bias);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = proj.call(x).chunk(2, -1);
        return scope.MoveToOuter(parts[0] * nn.functional.gelu(parts[1]));
    }
}
