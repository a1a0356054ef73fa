namespace Penumbra.Debias;

/// <summary>
/// Settings of the <see cref="BiasIdentificationGate"/>. Unverified choices of the MoESD spec ([U] in
/// shared/methods/moesd.md) are named here with the spec's default.
/// </summary>
public sealed record BiasGateOptions
{
    /// <summary>τ [U, spec default 0]: s &gt; τ routes to expert 0 (skew towards the pairs' first values), s &lt; −τ to
    /// expert 1 (or to expert 0 too with a single expert), otherwise identity.</summary>
    public double Threshold { get; init; }

    /// <summary>Words that name the attribute: a prompt containing one (as a token sequence) goes to identity (the spec
    /// asks that explicitly gendered prompts go to identity). Null: the values of the subspace's pairs; empty: rule off.</summary>
    public IReadOnlyList<string>? AttributeWords { get; init; }

    /// <summary>Also send prompts whose energy ‖z − Pz‖ reaches <see cref="ExplicitThreshold"/> to identity (latent test of
    /// an explicit attribute; off by default: on the toy encoder it does not separate named from unnamed colours).</summary>
    public bool UseEnergyRule { get; init; }

    /// <summary>Energy threshold of <see cref="UseEnergyRule"/>. Null: the subspace's calibrated value.</summary>
    public double? ExplicitThreshold { get; init; }

    /// <summary>False (ablation "without the gate"): every prompt but the empty one goes to an expert.</summary>
    public bool UseGate { get; init; } = true;

    /// <summary>Whether the empty prompt (guidance's unconditional branch) may be routed; default no.</summary>
    public bool RouteEmptyPrompt { get; init; }
}
