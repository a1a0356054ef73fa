using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// H2, one feature weight: j* = argmax_j W[y,j]·(mean φ_j over S(y,a) − mean φ_j over S(y,not a)), the feature unit
/// that carries most of the spurious margin; W[y,j*] ← (1 − α)·W[y,j*].
/// </summary>
public sealed class FeatureWeightEdit : IEditStrategy
{
    public string Name => "H2";
    public string Description => "one feature weight: W[y,j*] <- (1 - alpha) * W[y,j*]";

    public SingleWeightEdit Compute(LinearHead head, FeatureSet set, Subclass subclass)
    {
        var contribution = SubclassStatistics.SpuriousContribution(head, set, subclass);
        int j = 0;
        for (int k = 1; k < contribution.Length; k++)
            if (contribution[k] > contribution[j]) j = k;
        int y = subclass.ClassIndex;
        float old = head.Weight[y, j].item<float>();
        return new SingleWeightEdit(Name, head.WeightKey, new long[] { y, j }, old, 0f, contribution[j], subclass);
    }
}
