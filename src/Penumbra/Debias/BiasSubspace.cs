using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>
/// DebiasVL's attribute subspace (Chuang et al. 2023, verified from its public code). For item o and pair (a, b),
/// z_a(o), z_b(o) are the L2-normalised EOS states of the base text encoder for the two prompts of
/// <see cref="BiasSubspaceSpec"/>; with the n differences d = z_a − z_b,
/// M = (1/n) Σ d dᵀ, P = (λM + I)⁻¹ (symmetric), and the skew axis u = normalise(mean d).
/// For a prompt state z (normalised) the part P removes is r = z − Pz; <see cref="Measure"/> gives the skew
/// s = ⟨r, u⟩ (positive: towards the pairs' first values) and the energy ‖r‖ (how strongly the prompt names the attribute).
/// <see cref="ExplicitThreshold"/> is calibrated at build time: halfway between the energies of the neutral prompts
/// (attribute left out) and of the attribute-naming construction prompts (between the largest neutral and the smallest
/// explicit energy when they separate, else between their means). Matrices are kept in float64.
/// </summary>
public sealed class BiasSubspace : IDisposable
{
    public const string ProjectionKey = "bias_subspace.projection";
    public const string AxisKey = "bias_subspace.axis";

    public BiasSubspace(Tensor projection, Tensor axis, double explicitThreshold, BiasSubspaceSpec spec)
    {
        long d = axis.shape[0];
        if (axis.dim() != 1 || !projection.shape.SequenceEqual(new[] { d, d }))
            throw new ArgumentException($"bias subspace: projection [{string.Join(",", projection.shape)}] does not match axis [{string.Join(",", axis.shape)}]");
        Projection = projection.to(ScalarType.Float64).cpu().DetachFromDisposeScope();
        Axis = axis.to(ScalarType.Float64).cpu().DetachFromDisposeScope();
        ExplicitThreshold = explicitThreshold;
        Spec = spec;
    }

    /// <summary>P = (λM + I)⁻¹, [d, d] float64.</summary>
    public Tensor Projection { get; }

    /// <summary>u, the unit mean difference of the pairs, [d] float64.</summary>
    public Tensor Axis { get; }

    public double ExplicitThreshold { get; }
    public BiasSubspaceSpec Spec { get; }
    public int Dimension => (int)Axis.shape[0];

    /// <summary>Builds the subspace; <paramref name="eosStates"/> maps prompts to the base encoder's EOS states [n, d].</summary>
    public static BiasSubspace Build(Func<IReadOnlyList<string>, Tensor> eosStates, BiasSubspaceSpec spec)
    {
        spec.Validate();
        using var scope = NewDisposeScope();
        var first = new List<string>();
        var second = new List<string>();
        foreach (var pair in spec.Pairs)
            foreach (var item in spec.Items)
            {
                first.Add(spec.Prompt(pair.First, item));
                second.Add(spec.Prompt(pair.Second, item));
            }
        var za = Normalise(eosStates(first));
        var zb = Normalise(eosStates(second));
        var diff = za - zb;
        var m = PairMatrix(diff);
        var p = ProjectionMatrix(m, spec.Lambda);
        var axis = nn.functional.normalize(diff.mean(new long[] { 0 }), p: 2, dim: 0);
        var explicitEnergy = Energies(cat(new[] { za, zb }, 0), p);
        var neutralEnergy = Energies(Normalise(eosStates(spec.Items.Select(spec.NeutralPrompt).ToList())), p);
        double threshold = Calibrate(neutralEnergy, explicitEnergy);
        return new BiasSubspace(p, axis, threshold, spec);
    }

    /// <summary>M = (1/n) Σ_i d_i d_iᵀ for differences [n, d].</summary>
    public static Tensor PairMatrix(Tensor differences)
    {
        var d = differences.to(ScalarType.Float64);
        return d.t().matmul(d) / d.shape[0];
    }

    /// <summary>P = (λM + I)⁻¹.</summary>
    public static Tensor ProjectionMatrix(Tensor m, double lambda)
    {
        using var scope = NewDisposeScope();
        var md = m.to(ScalarType.Float64);
        var a = lambda * md + eye(md.shape[0], dtype: ScalarType.Float64, device: md.device);
        var p = linalg.inv(a);
        return scope.MoveToOuter((p + p.t()) / 2);
    }

    /// <summary>Skew ⟨z − Pz, u⟩ and energy ‖z − Pz‖ of each row of <paramref name="states"/> [B, d] (normalised here).</summary>
    public (double[] Skew, double[] Energy) Measure(Tensor states)
    {
        using var scope = NewDisposeScope();
        var z = Normalise(states);
        var r = z - z.matmul(Projection);
        var skew = r.matmul(Axis);
        var energy = linalg.vector_norm(r, dims: new long[] { 1 });
        return (skew.data<double>().ToArray(), energy.data<double>().ToArray());
    }

    public Dictionary<string, Tensor> Tensors() => new() { [ProjectionKey] = Projection, [AxisKey] = Axis };

    private static Tensor Normalise(Tensor states) =>
        nn.functional.normalize(states.detach().to(ScalarType.Float64).cpu(), p: 2, dim: 1);

    private static double[] Energies(Tensor z, Tensor p)
    {
        var r = z - z.matmul(p);
        return linalg.vector_norm(r, dims: new long[] { 1 }).data<double>().ToArray();
    }

    private static double Calibrate(double[] neutral, double[] named)
    {
        double maxNeutral = neutral.Max(), minNamed = named.Min();
        return maxNeutral < minNamed ? (maxNeutral + minNamed) / 2 : (neutral.Average() + named.Average()) / 2;
    }

    public void Dispose()
    {
        Projection.Dispose();
        Axis.Dispose();
    }
}
