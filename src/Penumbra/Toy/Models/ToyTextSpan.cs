using static TorchSharp.torch;

namespace Penumbra.Toy.Models;

/// <summary>
/// The subspace of text-state directions a set of caption states occupies: the eigenvectors of their Gram matrix Σ h hᵀ
/// whose eigenvalue exceeds <c>tolerance</c> × the largest. Gradient descent changes a cross-attention to_k/to_v weight W
/// only through products with the states it is fed, so what W does to a state's component outside this span is what it
/// did at initialisation (exactly for SGD; for AdamW <see cref="OutOfSpanSpread"/> measures it). This is the
/// deep-ensembles mechanism the toy's joint experts rely on (<see cref="ToyJointExperts"/>), made measurable.
/// </summary>
public sealed class ToyTextSpan : IDisposable
{
    /// <summary>Orthonormal columns [D, r], float64.</summary>
    public Tensor Basis { get; }
    public long Width => Basis.shape[0];
    public long Rank => Basis.shape[1];

    private ToyTextSpan(Tensor basis) => Basis = basis;

    /// <param name="states">[N, D] (or [B, T, D], flattened to rows) caption states.</param>
    /// <param name="relativeTolerance">Eigenvalues above this fraction of the largest count as spanned.</param>
    public static ToyTextSpan Of(Tensor states, double relativeTolerance = 1e-4)
    {
        if (!(relativeTolerance > 0 && relativeTolerance < 1)) throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "must be in (0, 1)");
        if (states.dim() < 2 || states.shape[0] == 0) throw new ArgumentException($"states must be [N, D] with N > 0, got [{string.Join(",", states.shape)}]", nameof(states));
        using var scope = NewDisposeScope();
        var h = states.to(ScalarType.Float64).reshape(-1, states.shape[^1]);
        var (values, vectors) = linalg.eigh(h.t().matmul(h));
        double largest = values.max().item<double>();
        if (!(largest > 0)) throw new ArgumentException("the states are all zero: they span nothing", nameof(states));
        var keep = (values > relativeTolerance * largest).nonzero().squeeze(1);
        return new ToyTextSpan(scope.MoveToOuter(vectors.index_select(1, keep).contiguous()));
    }

    /// <summary>Share of the states' total energy Σ‖h‖² that lies outside the span.</summary>
    public double EnergyOutside(Tensor states)
    {
        using var scope = NewDisposeScope();
        var h = states.to(ScalarType.Float64).reshape(-1, Width);
        var inside = h.matmul(Basis).square().sum().item<double>();
        var total = h.square().sum().item<double>();
        return total == 0 ? 0 : Math.Max(0, total - inside) / total;
    }

    /// <summary>‖(A − B)(I − P)‖²_F for two [out, D] weights, divided by its expectation when A and B are independent
    /// nn.Linear default draws U(±1/√D) (variance 1/(3D) per entry): 2·out·(D − r)/(3D). About 1 means the
    /// experts' answers on directions outside the span are as different as at initialisation; 0, that training made them
    /// agree there too. NaN when the span is the whole space (nothing lies outside it).</summary>
    public double OutOfSpanSpread(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dim() != 2 || a.shape[1] != Width)
            throw new ArgumentException($"weights must both be [out, {Width}], got [{string.Join(",", a.shape)}] and [{string.Join(",", b.shape)}]");
        if (Rank == Width) return double.NaN;
        using var scope = NewDisposeScope();
        var d = (a - b).to(ScalarType.Float64);
        var outside = d - d.matmul(Basis).matmul(Basis.t());
        double expected = 2.0 * a.shape[0] * (Width - Rank) / (3.0 * Width);
        return outside.square().sum().item<double>() / expected;
    }

    public void Dispose() => Basis.Dispose();
}
