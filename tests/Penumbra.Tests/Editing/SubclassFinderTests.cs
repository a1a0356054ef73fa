using Penumbra.Classifiers;
using Penumbra.Editing;
using TorchSharp;

namespace Penumbra.Tests.Editing;

public class SubclassFinderTests
{
    [Fact]
    public void KMeansSeparatesTwoBlobsDeterministically()
    {
        var rng = new Random(0);
        var pts = new float[60 * 2];
        for (int i = 0; i < 60; i++)
        {
            float cx = i < 20 ? 5f : -5f;
            pts[2 * i] = cx + (float)rng.NextDouble();
            pts[2 * i + 1] = (float)rng.NextDouble();
        }
        var x = torch.tensor(pts, new long[] { 60, 2 });
        var c = KMeans.Cluster(x, 2, seed: 3);
        Assert.Single(c.Take(20).Distinct());
        Assert.Single(c.Skip(20).Distinct());
        Assert.NotEqual(c[0], c[59]);
        Assert.Equal(c, KMeans.Cluster(x, 2, seed: 3));
    }

    [Fact]
    public void WithoutGroupLabelsTheHigherMarginClusterBecomesTheSubclass()
    {
        // Class 0 = feature 0 large; samples 0-9 also carry feature 1 (the cue the head rewards), samples 10-14 do not.
        var rows = new List<float[]>();
        var rng = new Random(1);
        for (int i = 0; i < 10; i++) rows.Add(new[] { 1f + 0.1f * (float)rng.NextDouble(), 3f, 0f });
        for (int i = 0; i < 5; i++) rows.Add(new[] { 1f + 0.1f * (float)rng.NextDouble(), 0f, 0f });
        for (int i = 0; i < 8; i++) rows.Add(new[] { 0f, 0.5f * (float)rng.NextDouble(), 1f });
        var labels = Enumerable.Repeat(0, 15).Concat(Enumerable.Repeat(1, 8)).ToArray();
        var set = new FeatureSet(torch.tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Count, 3 }), labels, new int[rows.Count], 2, 1);
        var head = new LinearHead("fc", torch.tensor(new float[] { 1, 1, 0, 0, 0, 1 }, new long[] { 2, 3 }), torch.zeros(2));
        var pseudo = SubclassFinder.ClusterAttributes(set, head, seed: 0);
        Assert.Equal(2, pseudo.NumAttributes);
        Assert.All(pseudo.Attributes.Take(10), v => Assert.Equal(1, v));
        Assert.All(pseudo.Attributes.Skip(10).Take(5), v => Assert.Equal(0, v));
        var plan = SpuriousFeatureEditor.Plan(head, set, new EditOptions { UseGroupLabels = false, Strategy = "H2", ClassIndex = 0, Degree = 1 });
        Assert.Equal(new long[] { 0, 1 }, plan.Edit.Index);
        Assert.Equal("2-means cluster of larger margin", plan.Edit.Subclass.Source);
    }

    [Fact]
    public void WithGroupLabelsEveryAttributeIsACandidateMajorityFirst()
    {
        var set = new FeatureSet(torch.zeros(6, 2), new[] { 0, 0, 0, 1, 1, 1 }, new[] { 1, 1, 0, 0, 0, 1 }, 2, 2);
        var c = SubclassFinder.Candidates(set, clustered: false);
        Assert.Equal(new[] { (0, 1), (0, 0), (1, 0), (1, 1) }, c.Select(s => (s.ClassIndex, s.Attribute)));
        Assert.Equal(1, SubclassFinder.MajorityAttribute(set, 0));
        Assert.Equal(new[] { 0, 1 }, c[0].Members);
        Assert.Equal(new[] { 2 }, c[0].Rest);
    }
}
