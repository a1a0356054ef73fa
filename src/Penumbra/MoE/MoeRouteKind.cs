namespace Penumbra.MoE;

/// <summary>How a <see cref="SparseMoeBlock"/> chooses its experts (see <see cref="MoeRoute"/>).</summary>
public enum MoeRouteKind
{
    /// <summary>segmoe's routing: one top-k selection per call from the logits summed over every row and token.</summary>
    Global,

    /// <summary>segmoe's routing computed separately for each group of batch rows, as if each group ran alone.</summary>
    Grouped,

    /// <summary>Row r uses one given expert alone with weight 1 (no gate).</summary>
    Forced,

    /// <summary>Consecutive blocks of rows, each routed by its own rule (e.g. a generation's [uncond, cond] rows routed as
    /// usual, followed by EMoE's forced path rows in the same batch).</summary>
    Stacked,
}
