using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>
/// One bottleneck adapter on the residual stream after a CLIP encoder layer: Δ = W_up GELU(W_down LN(h)), added as
/// h ← h + Δ by the hooks. W_down ~ U(±1/√d) from the given generator, W_up and its bias are zero, so an untrained
/// adapter adds exactly 0.
/// </summary>
public sealed class BiasAdapter : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm layer_norm;
    private readonly Linear down;
    private readonly Linear up;

    public BiasAdapter(int hiddenSize, int rank, double layerNormEps, Generator generator) : base(nameof(BiasAdapter))
    {
        layer_norm = nn.LayerNorm(hiddenSize, layerNormEps);
        down = nn.Linear(hiddenSize, rank);
        up = nn.Linear(rank, hiddenSize);
        double bound = 1 / Math.Sqrt(hiddenSize);
        using (no_grad())
        {
            down.weight!.copy_(rand(down.weight.shape, generator: generator) * (2 * bound) - bound);
            down.bias!.zero_();
            up.weight!.zero_();
            up.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>The update Δ (not h + Δ).</summary>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(up.call(nn.functional.gelu(down.call(layer_norm.call(hidden)))));
    }
}
