using Penumbra.Classifiers;
using TorchSharp;

namespace Penumbra.Editing;

/// <summary>Statistics of a sub-class against the rest of its class, computed in float64.</summary>
public static class SubclassStatistics
{
    public static void Require(Subclass subclass)
    {
        if (subclass.Members.Length == 0 || subclass.Rest.Length == 0)
            throw new InvalidOperationException($"{subclass}: both S(y,a) and S(y,not a) need samples in the annotated set");
    }

    /// <summary>mean φ over S(y,a) − mean φ over S(y,not a), per feature [d].</summary>
    public static double[] FeatureMeanDifference(FeatureSet set, Subclass subclass)
    {
        Require(subclass);
        using var scope = torch.NewDisposeScope();
        var f = set.Features.to(torch.ScalarType.Float64);
        var inS = f.index_select(0, torch.tensor(subclass.Members.Select(i => (long)i).ToArray())).mean(new long[] { 0 });
        var rest = f.index_select(0, torch.tensor(subclass.Rest.Select(i => (long)i).ToArray())).mean(new long[] { 0 });
        return (inS - rest).data<double>().ToArray();
    }

    /// <summary>W[y,j]·(mean φ_j over S(y,a) − mean φ_j over S(y,not a)) for every j.</summary>
    public static double[] SpuriousContribution(LinearHead head, FeatureSet set, Subclass subclass)
    {
        var diff = FeatureMeanDifference(set, subclass);
        using var scope = torch.NewDisposeScope();
        var w = head.Weight[subclass.ClassIndex].to(torch.ScalarType.Float64).data<double>().ToArray();
        return w.Select((v, j) => v * diff[j]).ToArray();
    }
}
