namespace Penumbra.Debias;

/// <summary>
/// MoESD's Bias-Identification Gate, hard top-1: from the skew s and energy e of a prompt's base EOS state
/// (<see cref="BiasSubspace.Measure"/>) it picks one expert or identity:
/// empty prompt → identity (unless <see cref="BiasGateOptions.RouteEmptyPrompt"/>); a prompt naming the attribute
/// (an attribute word, or with the energy rule e ≥ κ) → identity; s &gt; τ → expert 0; s &lt; −τ → expert 1 (expert 0 when there is one expert); else identity.
/// Without the gate (<see cref="BiasGateOptions.UseGate"/> false) every non-empty prompt goes to the expert of its sign.
/// Deterministic: the same states give the same routes.
/// </summary>
public sealed class BiasIdentificationGate
{
    public BiasIdentificationGate(BiasSubspace subspace, BiasGateOptions options, int experts)
    {
        if (experts is < 1 or > 2) throw new ArgumentException($"the gate routes to 1 or 2 experts, got {experts}", nameof(experts));
        Subspace = subspace;
        Options = options;
        Experts = experts;
    }

    public BiasSubspace Subspace { get; }
    public BiasGateOptions Options { get; }
    public int Experts { get; }

    /// <summary>κ in use: the option, else the subspace's calibrated value.</summary>
    public double ExplicitThreshold => Options.ExplicitThreshold ?? Subspace.ExplicitThreshold;

    /// <summary>The words of the word rule: the option, else the values of the subspace's pairs.</summary>
    public IReadOnlyList<string> AttributeWords => Options.AttributeWords
        ?? Subspace.Spec.Pairs.SelectMany(p => new[] { p.First, p.Second }).Distinct().ToArray();

    /// <summary>Routes a batch of base EOS states [B, d]; <paramref name="empty"/>[i] marks the empty prompt and
    /// <paramref name="namesAttribute"/>[i] a prompt containing an attribute word.</summary>
    public GateDecision[] Route(TorchSharp.torch.Tensor eosStates, IReadOnlyList<bool> empty, IReadOnlyList<bool> namesAttribute)
    {
        var (skew, energy) = Subspace.Measure(eosStates);
        if (empty.Count != skew.Length || namesAttribute.Count != skew.Length)
            throw new ArgumentException($"{empty.Count} empty and {namesAttribute.Count} attribute flags for {skew.Length} states");
        return skew.Select((s, i) => Decide(s, energy[i], empty[i], namesAttribute[i])).ToArray();
    }

    public GateDecision Decide(double skew, double energy, bool empty, bool namesAttribute)
    {
        var o = Options;
        int signed = skew >= 0 || Experts == 1 ? 0 : 1;
        if (empty && !o.RouteEmptyPrompt) return new GateDecision(GateDecision.Identity, skew, energy, GateReason.EmptyPrompt);
        if (!o.UseGate) return new GateDecision(signed, skew, energy, GateReason.AlwaysOn);
        if (namesAttribute) return new GateDecision(GateDecision.Identity, skew, energy, GateReason.NamesAttribute);
        if (o.UseEnergyRule && energy >= ExplicitThreshold) return new GateDecision(GateDecision.Identity, skew, energy, GateReason.HighEnergy);
        if (Math.Abs(skew) > o.Threshold) return new GateDecision(signed, skew, energy, GateReason.Skewed);
        return new GateDecision(GateDecision.Identity, skew, energy, GateReason.Balanced);
    }
}
