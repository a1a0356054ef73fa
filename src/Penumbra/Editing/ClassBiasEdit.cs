using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// H1, class-logit bias edit: δ = mean over S(y,a) of the margin z_y − max_{k≠y} z_k minus the same mean over
/// S(y,not a) (the extra margin the spurious cue buys); b_y ← b_y − α·δ.
/// </summary>
public sealed class ClassBiasEdit : IEditStrategy
{
    public string Name => "H1";
    public string Description => "class-logit bias edit: b_y <- b_y - alpha * delta";

    public SingleWeightEdit Compute(LinearHead head, FeatureSet set, Subclass subclass)
    {
        SubclassStatistics.Require(subclass);
        var margins = head.Margins(set.Features, set.Labels);
        double delta = subclass.Members.Average(i => margins[i]) - subclass.Rest.Average(i => margins[i]);
        int y = subclass.ClassIndex;
        float old = head.Bias[y].item<float>();
        return new SingleWeightEdit(Name, head.BiasKey, new long[] { y }, old, (float)(old - delta), delta, subclass);
    }
}
