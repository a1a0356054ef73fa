namespace Penumbra.Editing;

/// <summary>
/// An edit of exactly one scalar of a classifier: the state-dict key <see cref="Parameter"/> at <see cref="Index"/>,
/// from <see cref="OldValue"/> to <see cref="FullValue"/> at degree 1. The degree α ∈ [0,1] interpolates linearly
/// (both strategies of the spec are linear in α); α = 0 returns the old value itself, so the model is bit-identical.
/// <see cref="Statistic"/> is what the strategy measured (H1: the extra margin δ; H2: the spurious margin share of j*).
/// </summary>
public sealed record SingleWeightEdit(string Strategy, string Parameter, long[] Index, float OldValue, float FullValue, double Statistic, Subclass Subclass)
{
    public float ValueAt(double alpha)
    {
        if (double.IsNaN(alpha) || alpha < 0 || alpha > 1) throw new ArgumentException($"degree {alpha} is outside [0, 1]");
        if (alpha == 0) return OldValue;
        if (alpha == 1) return FullValue;
        return (float)(OldValue + alpha * ((double)FullValue - OldValue));
    }

    public string Location => $"{Parameter}[{string.Join(",", Index)}]";
}
