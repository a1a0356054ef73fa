namespace Penumbra.Debias;

/// <summary>Why the gate routed a prompt where it did.</summary>
public enum GateReason
{
    /// <summary>Skew beyond the threshold: routed to the expert of its sign.</summary>
    Skewed,

    /// <summary>|skew| within the threshold: identity.</summary>
    Balanced,

    /// <summary>The prompt contains an attribute word: identity.</summary>
    NamesAttribute,

    /// <summary>Energy at or above the explicit threshold (energy rule on): identity.</summary>
    HighEnergy,

    /// <summary>The empty prompt (the unconditional branch of guidance): identity.</summary>
    EmptyPrompt,

    /// <summary>Gate switched off (ablation): every prompt goes to the expert of its skew's sign.</summary>
    AlwaysOn,
}
