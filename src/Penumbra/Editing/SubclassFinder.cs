using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// Locates the fictitious sub-class S(y,a). With group labels: S(y,a) = samples of class y with attribute a, where a
/// is named by the user or tried in turn (the majority attribute of class y first: the one the model can lean on). Without group labels: the
/// class's penultimate features are split by seeded 2-means and the cluster with the larger mean margin
/// z_y − max_{k≠y} z_k becomes S(y,a) (pseudo-attribute 1): the spurious cue is what makes the easy majority easy,
/// so the high-margin cluster is the one the cue over-serves. Pseudo-groups (y, cluster) then stand in for groups.
/// </summary>
public static class SubclassFinder
{
    public static Subclass FromGroups(FeatureSet set, int classIndex, int attribute)
    {
        if (classIndex < 0 || classIndex >= set.NumClasses) throw new ArgumentException($"class {classIndex} is outside 0..{set.NumClasses - 1}");
        if (attribute < 0 || attribute >= set.NumAttributes) throw new ArgumentException($"attribute {attribute} is outside 0..{set.NumAttributes - 1}");
        var members = new List<int>();
        var rest = new List<int>();
        for (int i = 0; i < set.Count; i++)
            if (set.Labels[i] == classIndex) (set.Attributes[i] == attribute ? members : rest).Add(i);
        return new Subclass(classIndex, attribute, members.ToArray(), rest.ToArray(), "group labels");
    }

    public static int MajorityAttribute(FeatureSet set, int classIndex)
    {
        var counts = new int[set.NumAttributes];
        for (int i = 0; i < set.Count; i++)
            if (set.Labels[i] == classIndex) counts[set.Attributes[i]]++;
        return Array.IndexOf(counts, counts.Max());
    }

    /// <summary>Replaces the attributes by pseudo-attributes: per class, 1 = the 2-means cluster with the larger mean margin.</summary>
    public static FeatureSet ClusterAttributes(FeatureSet set, LinearHead head, int seed)
    {
        var margins = head.Margins(set.Features, set.Labels);
        var pseudo = new int[set.Count];
        for (int y = 0; y < set.NumClasses; y++)
        {
            var idx = Enumerable.Range(0, set.Count).Where(i => set.Labels[i] == y).ToArray();
            if (idx.Length < 2) continue;
            var clusters = KMeans.Cluster(set.Subset(idx).Features, 2, seed + y);
            double Mean(int c)
            {
                var m = idx.Where((_, k) => clusters[k] == c).Select(i => margins[i]).ToArray();
                return m.Length == 0 ? double.NegativeInfinity : m.Average();
            }
            int high = Mean(1) > Mean(0) ? 1 : 0;
            for (int k = 0; k < idx.Length; k++) pseudo[idx[k]] = clusters[k] == high ? 1 : 0;
        }
        return set.WithAttributes(pseudo, 2);
    }

    /// <summary>
    /// The sub-classes to try. Clustered: each class's high-margin cluster (pseudo-attribute 1). With group labels and
    /// no attribute given: every attribute of each class (the majority one is the usual spurious sub-class, e.g.
    /// waterbirds on water; the minority one gives the opposite edit), so validation decides which cue to neutralise.
    /// </summary>
    public static IReadOnlyList<Subclass> Candidates(FeatureSet set, bool clustered, int? classIndex = null, int? attribute = null)
    {
        var classes = classIndex is int c ? new[] { c } : Enumerable.Range(0, set.NumClasses).ToArray();
        var result = new List<Subclass>();
        foreach (int y in classes)
        {
            var attributes = attribute is int a0 ? new[] { a0 } : clustered ? new[] { 1 }
                : Enumerable.Range(0, set.NumAttributes).OrderBy(a => a == MajorityAttribute(set, y) ? 0 : 1).ThenBy(a => a).ToArray();
            foreach (int a in attributes)
            {
                var s = FromGroups(set, y, a);
                if (clustered) s = s with { Source = "2-means cluster of larger margin" };
                if (s.Members.Length > 0 && s.Rest.Length > 0) result.Add(s);
            }
        }
        if (result.Count == 0)
            throw new InvalidOperationException("no class has samples both inside and outside the chosen sub-class in the annotated set");
        return result;
    }
}
