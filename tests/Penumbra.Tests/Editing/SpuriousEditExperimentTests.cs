using Penumbra.Classifiers;
using Penumbra.Editing;

namespace Penumbra.Tests.Editing;

public class SpuriousEditExperimentTests
{
    [Fact]
    public void OneSeedRunsEveryMethodAndTheEditChangesOneElement()
    {
        var train = BarWorld.Make(600, 0.95, 1);
        var val = BarWorld.Make(300, 0.5, 2);
        var test = BarWorld.Make(300, 0.5, 3);
        var options = new ExperimentOptions { Seeds = new[] { 0 }, Train = new TrainOptions { Epochs = 3, LearningRate = 0.01, BatchSize = 32 }, Edit = new EditOptions { Degree = 0.5 } };
        var result = Assert.Single(SpuriousEditExperiment.Run(seed => new BarCnn(seed), train, val, test, options));
        Assert.Equal(new[] { "ERM", "edit", "edit, no group labels", "DFR (last layer)", "group reweighting" },
            result.Methods.Select(m => SpuriousEditExperiment.Family(m.Method)));
        Assert.True(result.TrainLosses[^1] < result.TrainLosses[0]);
        var change = Assert.Single(result.Changes);
        Assert.Equal(result.Plan.Edit.Parameter, change.Key);
        Assert.Equal(result.Plan.Edit.Index, change.Index);
        Assert.Equal(11, result.TestCurve.Count);
        // α = 0 of the test curve is ERM itself.
        Assert.Equal(result.Methods[0].Test.Correct, result.TestCurve[0].Accuracy.Correct);
        // The reported edit row is the curve point at the chosen degree (model path and head path agree).
        var atAlpha = result.TestCurve.First(p => Math.Abs(p.Alpha - result.Plan.Alpha) < 1e-9).Accuracy;
        Assert.Equal(atAlpha.Correct, result.Methods[1].Test.Correct);
        double mixSum = SpuriousEditExperiment.GroupMix(train).Sum();
        Assert.Equal(1.0, mixSum, 9);
    }

    [Fact]
    public void ReweightingGivesEveryGroupTheSameTotalWeight()
    {
        var set = BarWorld.Make(200, 0.9, 5);
        var w = ClassifierTrainer.SampleWeights(set, groupBalanced: true);
        var totals = Enumerable.Range(0, set.Count).GroupBy(i => set.Labels[i] * 2 + set.Attributes[i]).Select(g => g.Sum(i => w[i])).ToArray();
        Assert.Equal(4, totals.Length);
        Assert.All(totals, t => Assert.Equal(set.Count / 4.0, t, 9));
        Assert.Equal(1.0, w.Average(), 9);
    }

    [Fact]
    public void IntervalUsesStudentT()
    {
        var i = Interval.Of(new[] { 0.8, 0.9, 1.0 });
        Assert.Equal(0.9, i.Mean, 12);
        Assert.Equal(0.1, i.Std, 12);
        Assert.Equal(0.9 - 4.303 * 0.1 / Math.Sqrt(3), i.Low, 12);
        Assert.Equal("90.0 [65.2, 100.0]", i.Percent());
    }
}
