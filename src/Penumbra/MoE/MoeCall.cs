using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// What one <see cref="SparseMoeBlock"/> call chose. <see cref="Selections"/> holds one entry per routing group, each the
/// chosen experts in top-k order (descending summed logit); <see cref="GroupOfRow"/> maps batch rows to them. Forced calls
/// have one group per distinct expert, each a single expert. <see cref="GateProbabilities"/> (only when
/// <see cref="MoeRouting.CaptureProbabilities"/> is on) is softmax over all experts of the gate logits, float32
/// [rows, tokens, experts]; the block disposes it at its next call.
/// </summary>
public sealed record MoeCall(string Path, MoeRoute Route, int TopK, IReadOnlyList<int[]> Selections, IReadOnlyList<int> GroupOfRow,
    long Tokens, Tensor? GateProbabilities)
{
    /// <summary>The experts used for batch row <paramref name="row"/>.</summary>
    public int[] ExpertsOfRow(int row) => Selections[GroupOfRow[row]];

    /// <summary>Mean over rows and tokens of the entropy (nats) of <see cref="GateProbabilities"/>.</summary>
    public double MeanGateEntropy()
    {
        if (GateProbabilities is null)
            throw new InvalidOperationException($"'{Path}': gate probabilities were not captured (set MoeRouting.CaptureProbabilities)");
        using var scope = NewDisposeScope();
        var p = GateProbabilities.to(ScalarType.Float64);
        var h = -(p * p.clamp_min(1e-300).log()).sum(-1);
        return h.mean().item<double>();
    }
}
