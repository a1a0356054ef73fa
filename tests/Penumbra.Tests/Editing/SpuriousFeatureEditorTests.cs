using Penumbra.Classifiers;
using Penumbra.Editing;
using TorchSharp;

namespace Penumbra.Tests.Editing;

public class SpuriousFeatureEditorTests
{
    /// <summary>Every element of every state-dict tensor that differs between the two models: (key, flat index, old, new).</summary>
    private static List<(string Key, long Flat, float Old, float New)> Diff(ILinearHeadClassifier a, ILinearHeadClassifier b)
    {
        var sa = a.Module.state_dict();
        var sb = b.Module.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        var diffs = new List<(string, long, float, float)>();
        foreach (var key in sa.Keys)
        {
            var x = sa[key].to(torch.ScalarType.Float32).flatten().data<float>().ToArray();
            var y = sb[key].to(torch.ScalarType.Float32).flatten().data<float>().ToArray();
            for (long i = 0; i < x.Length; i++)
                if (BitConverter.SingleToInt32Bits(x[i]) != BitConverter.SingleToInt32Bits(y[i])) diffs.Add((key, i, x[i], y[i]));
        }
        return diffs;
    }

    /// <summary>Inputs whose first coordinate carries the class and whose second carries a correlated attribute.</summary>
    private static (torch.Tensor X, int[] Y, int[] A) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * 6];
        var y = new int[n];
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(2);
            a[i] = rng.NextDouble() < 0.8 ? y[i] : 1 - y[i];
            x[i * 6] = (y[i] * 2 - 1) * 0.5f + (float)(rng.NextDouble() - 0.5);
            x[i * 6 + 1] = (a[i] * 2 - 1) * 1.5f + (float)(rng.NextDouble() - 0.5) * 0.2f;
            for (int k = 2; k < 6; k++) x[i * 6 + k] = (float)(rng.NextDouble() - 0.5);
        }
        return (torch.tensor(x, new long[] { n, 6 }), y, a);
    }

    private static (TinyClassifier Model, FeatureSet Set) Trained()
    {
        torch.manual_seed(1);
        var model = new TinyClassifier(6, 8, 2);
        var (x, y, a) = Data(400, 2);
        var opt = torch.optim.Adam(model.parameters(), 0.05);
        var target = torch.tensor(y.Select(v => (long)v).ToArray());
        for (int step = 0; step < 100; step++)
        {
            opt.zero_grad();
            torch.nn.functional.cross_entropy(model.call(x), target).backward();
            opt.step();
        }
        model.eval();
        var set = new FeatureSet(model.Features(x).detach(), y, a, 2, 2);
        return (model, set);
    }

    [Fact]
    public void DegreeZeroIsBitIdentical()
    {
        var (model, set) = Trained();
        var head = LinearHead.Of(model);
        foreach (var strategy in SpuriousFeatureEditor.Strategies)
        {
            var edit = strategy.Compute(head, set, SubclassFinder.FromGroups(set, 1, 1));
            var copy = SpuriousFeatureEditor.Apply(model, edit, 0);
            Assert.Empty(Diff(model, copy));
            var (x, _, _) = Data(50, 9);
            using var noGrad = torch.no_grad();
            Assert.True(model.call(x).equal(copy.Module.call(x)).all().item<bool>());
            Assert.Equal(edit.OldValue, edit.ValueAt(0));
        }
    }

    [Theory]
    [InlineData("H1", 0.7)]
    [InlineData("H2", 0.7)]
    [InlineData("H2", 1.0)]
    public void ExactlyOneElementChanges(string name, double alpha)
    {
        var (model, set) = Trained();
        var head = LinearHead.Of(model);
        var edit = SpuriousFeatureEditor.Strategy(name).Compute(head, set, SubclassFinder.FromGroups(set, 0, 0));
        var edited = SpuriousFeatureEditor.Apply(model, edit, alpha);
        var diff = Assert.Single(Diff(model, edited));
        Assert.Equal(edit.Parameter, diff.Key);
        long flat = edit.Index.Length == 1 ? edit.Index[0] : edit.Index[0] * head.FeatureDim + edit.Index[1];
        Assert.Equal(flat, diff.Flat);
        Assert.Equal(edit.OldValue, diff.Old);
        Assert.Equal(edit.ValueAt(alpha), diff.New);
        Assert.Equal(name == "H1" ? "fc.bias" : "fc.weight", edit.Parameter);
        // The original is untouched.
        Assert.Equal(edit.OldValue, model.state_dict()[edit.Parameter][edit.Index.Select(i => torch.TensorIndex.Single(i)).ToArray()].item<float>());
    }

    [Fact]
    public void ChosenWeightAndBiasDeltaMatchADirectComputation()
    {
        // Hand-made linear model: 3 classes, 3 features.
        float[,] w = { { 2f, 0.2f, 1.5f }, { -1f, 0.5f, 1f }, { 0.3f, -0.4f, 0.2f } };
        float[] b = { 0.1f, -0.2f, 0.05f };
        float[][] phi =
        {
            new[] { 1f, 2f, 0f }, new[] { 1f, 4f, 2f }, new[] { 0.5f, 3f, 1f }, // class 0, attribute 1 (the sub-class)
            new[] { 1f, 0f, 0f }, new[] { 1.5f, 0.5f, 0.2f },                  // class 0, attribute 0
            new[] { 0f, 1f, 3f }, new[] { 0.2f, 0.1f, 2f },                    // class 1
            new[] { 0f, 2f, 0f },                                              // class 2
        };
        int[] y = { 0, 0, 0, 0, 0, 1, 1, 2 };
        int[] a = { 1, 1, 1, 0, 0, 0, 1, 0 };
        var head = new LinearHead("fc", torch.tensor(w.Cast<float>().ToArray(), new long[] { 3, 3 }), torch.tensor(b));
        var set = new FeatureSet(torch.tensor(phi.SelectMany(p => p).ToArray(), new long[] { 8, 3 }), y, a, 3, 2);
        var sub = SubclassFinder.FromGroups(set, 0, 1);
        Assert.Equal(new[] { 0, 1, 2 }, sub.Members);
        Assert.Equal(new[] { 3, 4 }, sub.Rest);

        // Direct: contribution_j = W[0,j] * (mean over S of phi_j - mean over rest of phi_j).
        double[] contribution = new double[3];
        for (int j = 0; j < 3; j++)
            contribution[j] = w[0, j] * ((phi[0][j] + phi[1][j] + phi[2][j]) / 3.0 - (phi[3][j] + phi[4][j]) / 2.0);
        int jStar = Array.IndexOf(contribution, contribution.Max());
        Assert.Equal(2, jStar); // feature 1 moves most (3 vs 0.25) but feature 2 carries most margin
        var h2 = new FeatureWeightEdit().Compute(head, set, sub);
        Assert.Equal(new long[] { 0, jStar }, h2.Index);
        Assert.Equal("fc.weight", h2.Parameter);
        Assert.Equal(w[0, jStar], h2.OldValue);
        Assert.Equal(0f, h2.FullValue);
        Assert.Equal((float)(0.6 * w[0, jStar]), h2.ValueAt(0.4), 6);
        Assert.Equal(contribution[jStar], h2.Statistic, 5);

        // Direct: margin = z_0 - max(z_1, z_2); delta = mean margin over S - mean margin over the rest.
        double Margin(float[] p)
        {
            double[] z = new double[3];
            for (int k = 0; k < 3; k++) z[k] = b[k] + w[k, 0] * p[0] + w[k, 1] * p[1] + w[k, 2] * p[2];
            return z[0] - Math.Max(z[1], z[2]);
        }
        double delta = (Margin(phi[0]) + Margin(phi[1]) + Margin(phi[2])) / 3 - (Margin(phi[3]) + Margin(phi[4])) / 2;
        var h1 = new ClassBiasEdit().Compute(head, set, sub);
        Assert.Equal("fc.bias", h1.Parameter);
        Assert.Equal(new long[] { 0 }, h1.Index);
        Assert.Equal(delta, h1.Statistic, 5);
        Assert.Equal(b[0] - delta, h1.FullValue, 5);
        Assert.Equal(b[0] - 0.5 * delta, h1.ValueAt(0.5), 5);
    }

    [Fact]
    public void ClassRemovalMovesOnlyThatClassesPredictionsToTheirRunnerUp()
    {
        torch.manual_seed(4);
        var model = new TinyClassifier(5, 7, 5);
        model.eval();
        var x = torch.randn(300, 5);
        using var noGrad = torch.no_grad();
        var before = model.call(x);
        var pred = before.argmax(1).data<long>().ToArray();
        var runnerUp = before.topk(2, 1).indexes[.., 1].data<long>().ToArray();
        int k = (int)pred.GroupBy(p => p).OrderByDescending(g => g.Count()).First().Key;
        var removed = ClassRemoval.Remove(model, k);
        var after = removed.Module.call(x).argmax(1).data<long>().ToArray();
        Assert.DoesNotContain((long)k, after);
        int moved = 0;
        for (int i = 0; i < pred.Length; i++)
        {
            if (pred[i] != k) Assert.Equal(pred[i], after[i]);
            else { Assert.Equal(runnerUp[i], after[i]); moved++; }
        }
        Assert.True(moved > 0);
        var diff = Assert.Single(Diff(model, removed));
        Assert.Equal(("fc.bias", (long)k), (diff.Key, diff.Flat));
        Assert.Equal(float.NegativeInfinity, diff.New);
    }

    [Fact]
    public void PlanPicksTheBestValidationCandidateAndDegree()
    {
        var (model, set) = Trained();
        var head = LinearHead.Of(model);
        var plan = SpuriousFeatureEditor.Plan(head, set, new EditOptions());
        Assert.Equal(8, plan.Candidates.Count); // 2 classes x 2 attributes x 2 strategies
        double best = plan.Candidates.SelectMany(c => c.Curve).Max(p => p.Accuracy.Worst);
        Assert.Equal(best, plan.Chosen.Best.Worst);
        Assert.Equal(plan.Chosen.Curve.Where(p => p.Accuracy.Worst == best).Min(p => p.Alpha), plan.Alpha);
        var before = GroupAccuracy.Of(head.Predict(set.Features), set);
        Assert.Equal(before.Worst, plan.Chosen.Curve[0].Accuracy.Worst);
        Assert.True(plan.Chosen.Best.Worst >= before.Worst);
        Assert.Contains(plan.Edit.Strategy, new[] { "H1", "H2" });

        var fixedPlan = SpuriousFeatureEditor.Plan(head, set, new EditOptions { Strategy = "h2", Degree = 0.3, ClassIndex = 1 });
        Assert.Equal(("H2", 0.3, 1), (fixedPlan.Edit.Strategy, fixedPlan.Alpha, fixedPlan.Edit.Subclass.ClassIndex));
        Assert.Throws<ArgumentException>(() => SpuriousFeatureEditor.Plan(head, set, new EditOptions { Strategy = "H7" }));
    }

    [Fact]
    public void DegreeOutsideTheUnitIntervalIsRejected()
    {
        var edit = new SingleWeightEdit("H2", "fc.weight", new long[] { 0, 0 }, 2f, 0f, 1, new Subclass(0, 1, new[] { 0 }, new[] { 1 }, "test"));
        Assert.Throws<ArgumentException>(() => edit.ValueAt(1.5));
        Assert.Throws<ArgumentException>(() => edit.ValueAt(-0.1));
        Assert.Equal(1f, edit.ValueAt(0.5));
    }
}
