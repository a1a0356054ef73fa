using Penumbra.Classifiers;
using Penumbra.Datasets;

namespace Penumbra.Editing;

/// <summary>
/// The evidence run of the single-weight edit, per seed: ERM on the (spuriously correlated) training split; the edit
/// chosen on the validation split with group labels (strategy and α by worst-group accuracy) and, optionally, without
/// them (2-means pseudo-groups); the DFR-style last-layer retraining on a group-balanced validation subset; and
/// group-balanced reweighting ERM from the same initialisation. All evaluated on the test split.
/// </summary>
public static class SpuriousEditExperiment
{
    public const string Erm = "ERM";
    public const string Edit = "edit";
    public const string EditClustered = "edit, no group labels";
    public const string Dfr = "DFR (last layer)";
    public const string Reweighting = "group reweighting";

    public static IReadOnlyList<SeedResult> Run(Func<int, ILinearHeadClassifier> factory, IGroupedImageSet train, IGroupedImageSet validation,
        IGroupedImageSet test, ExperimentOptions options, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        var mix = GroupMix(train);
        var results = new List<SeedResult>();
        foreach (int seed in options.Seeds)
        {
            log?.Report($"seed {seed}: ERM training");
            var model = factory(seed);
            var losses = ClassifierTrainer.Train(model, train, options.Train with { Seed = seed }, null, cancellationToken);
            var val = FeatureSet.Extract(model, validation);
            var tst = FeatureSet.Extract(model, test);
            var head = LinearHead.Of(model);
            var methods = new List<MethodResult> { Evaluate(Erm, head, tst, mix) };

            var plan = SpuriousFeatureEditor.Plan(head, val, options.Edit with { Seed = seed });
            var edited = SpuriousFeatureEditor.Apply(model, plan.Edit, plan.Alpha);
            var changes = StateDictDiff.Compare(model, edited);
            // The edited model itself, not the head shortcut, gives the reported test accuracy.
            var editedTest = FeatureSet.Extract(edited, test);
            methods.Add(Evaluate($"{Edit} {plan.Edit.Strategy}", LinearHead.Of(edited), editedTest, mix));
            var curve = SpuriousFeatureEditor.Curve(head, plan.Edit, tst, EditOptions.Tenths);
            log?.Report($"seed {seed}: {plan.Edit.Strategy} {plan.Edit.Location} {plan.Edit.OldValue:G6} -> {plan.Edit.ValueAt(plan.Alpha):G6} (alpha {plan.Alpha:F1})");

            if (options.RunClusteredEdit)
            {
                var blind = SpuriousFeatureEditor.Plan(head, val, options.Edit with { Seed = seed, UseGroupLabels = false });
                methods.Add(Evaluate($"{EditClustered} {blind.Edit.Strategy}", SpuriousFeatureEditor.Edited(head, blind.Edit, blind.Alpha), tst, mix));
            }
            if (options.RunDfr)
                methods.Add(Evaluate(Dfr, LastLayerRetraining.Fit(head.Name, val, seed), tst, mix));
            if (options.RunReweighting)
            {
                log?.Report($"seed {seed}: group-balanced reweighting training");
                var balanced = factory(seed);
                ClassifierTrainer.Train(balanced, train, options.Train with { Seed = seed, GroupBalanced = true }, null, cancellationToken);
                methods.Add(Evaluate(Reweighting, LinearHead.Of(balanced), FeatureSet.Extract(balanced, test), mix));
            }
            results.Add(new SeedResult(seed, methods, plan, curve, changes, losses));
        }
        return results;
    }

    public static MethodResult Evaluate(string method, LinearHead head, FeatureSet test, IReadOnlyList<double> mix)
    {
        var acc = GroupAccuracy.Of(head.Predict(test.Features), test);
        return new MethodResult(method, acc, acc.WeightedAverage(mix));
    }

    /// <summary>Fraction of the training set in each group (the weights of the reported average accuracy).</summary>
    public static double[] GroupMix(IGroupedImageSet set)
    {
        var mix = new double[set.NumClasses * set.NumAttributes];
        for (int i = 0; i < set.Count; i++) mix[set.Labels[i] * set.NumAttributes + set.Attributes[i]] += 1.0 / set.Count;
        return mix;
    }

    /// <summary>Method name without the strategy suffix, so seeds that chose different strategies summarise together.</summary>
    public static string Family(string method) =>
        method.StartsWith(EditClustered, StringComparison.Ordinal) ? EditClustered
        : method.StartsWith(Edit + " ", StringComparison.Ordinal) ? Edit : method;
}
