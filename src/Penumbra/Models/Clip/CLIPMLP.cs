using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPMLP</c>: <c>fc2(act(fc1(x)))</c>.</summary>
public sealed class CLIPMLP : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly string _act;

    public CLIPMLP(int hiddenSize, int intermediateSize, string hiddenAct) : base(nameof(CLIPMLP))
    {
        ClipActivation.Check(hiddenAct, "CLIP config");
        _act = hiddenAct;
        fc1 = nn.Linear(hiddenSize, intermediateSize);
        fc2 = nn.Linear(intermediateSize, hiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(fc2.call(ClipActivation.Apply(_act, fc1.call(x))));
    }
}
