using Penumbra.Classifiers;
using TorchSharp;

namespace Penumbra.Editing;

/// <summary>
/// Post-hoc single-weight editing (spec: <c>shared/methods/single-weight-edit.md</c>): neutralises a spurious
/// sub-class S(y,a) by changing exactly one scalar of the final linear layer, to a degree α ∈ [0,1]. Statistics come
/// from one pass over a small annotated set; strategy and α are chosen on its worst-group accuracy. No gradient
/// steps. The edit is applied to a copy; the original is never touched.
/// </summary>
public static class SpuriousFeatureEditor
{
    public static readonly IReadOnlyList<IEditStrategy> Strategies = new IEditStrategy[] { new ClassBiasEdit(), new FeatureWeightEdit() };

    public static IEditStrategy Strategy(string name) =>
        Strategies.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown edit strategy '{name}' (known: auto, {string.Join(", ", Strategies.Select(s => s.Name))})");

    /// <summary>The annotated set used for statistics and selection: as given, or with 2-means pseudo-groups.</summary>
    public static FeatureSet Annotate(LinearHead head, FeatureSet validation, EditOptions options) =>
        options.UseGroupLabels ? validation : SubclassFinder.ClusterAttributes(validation, head, options.Seed);

    public static EditPlan Plan(LinearHead head, FeatureSet validation, EditOptions options)
    {
        var annotated = Annotate(head, validation, options);
        var strategies = options.Strategy.Equals("auto", StringComparison.OrdinalIgnoreCase) ? Strategies : new[] { Strategy(options.Strategy) };
        var grid = options.Degree is double d ? new[] { d } : options.Grid;
        var candidates = new List<EditCandidate>();
        foreach (var subclass in SubclassFinder.Candidates(annotated, !options.UseGroupLabels, options.ClassIndex, options.Attribute))
            foreach (var strategy in strategies)
            {
                var edit = strategy.Compute(head, annotated, subclass);
                var curve = Curve(head, edit, annotated, grid);
                // Best degree: highest worst-group accuracy; among ties the smallest degree (the least edit).
                var best = curve.OrderByDescending(p => p.Accuracy.Worst).ThenBy(p => p.Alpha).First();
                candidates.Add(new EditCandidate(edit, curve, best.Alpha));
            }
        var chosen = candidates.Select((c, i) => (c, i))
            .OrderByDescending(t => t.c.Best.Worst).ThenByDescending(t => t.c.Best.Average).ThenBy(t => t.i).First().c;
        return new EditPlan(chosen.Edit, chosen.BestAlpha, candidates);
    }

    public static IReadOnlyList<DegreePoint> Curve(LinearHead head, SingleWeightEdit edit, FeatureSet set, IReadOnlyList<double> grid) =>
        grid.Select(a => new DegreePoint(a, GroupAccuracy.Of(Edited(head, edit, a).Predict(set.Features), set))).ToList();

    /// <summary>The head with the edit applied at degree α (a copy).</summary>
    public static LinearHead Edited(LinearHead head, SingleWeightEdit edit, double alpha) => head.With(edit.Parameter, edit.Index, edit.ValueAt(alpha));

    /// <summary>A copy of the classifier with the one scalar set to its value at degree α; α = 0 gives a bit-identical copy.</summary>
    public static ILinearHeadClassifier Apply(ILinearHeadClassifier model, SingleWeightEdit edit, double alpha)
    {
        var copy = model.Copy();
        var sd = copy.Module.state_dict();
        if (!sd.TryGetValue(edit.Parameter, out var p)) throw new ArgumentException($"the classifier has no parameter '{edit.Parameter}'");
        if (edit.Index.Length != p.dim() || edit.Index.Where((v, i) => v < 0 || v >= p.shape[i]).Any())
            throw new ArgumentException($"index [{string.Join(",", edit.Index)}] is outside '{edit.Parameter}' [{string.Join(",", p.shape)}]");
        if (alpha == 0) return copy;
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        p[edit.Index.Select(i => torch.TensorIndex.Single(i)).ToArray()] = torch.tensor(edit.ValueAt(alpha)).to(p.dtype).to(p.device);
        return copy;
    }
}
