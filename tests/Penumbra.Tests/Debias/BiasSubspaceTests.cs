using Penumbra.Debias;
using static TorchSharp.torch;

namespace Penumbra.Tests.Debias;

public class BiasSubspaceTests
{
    [Fact]
    public void ProjectionIsTheInverseOfLambdaMPlusIdentity()
    {
        // Differences d1 = (1, 0, 0), d2 = (0, 2, 0): M = (d1 d1ᵀ + d2 d2ᵀ) / 2 = diag(0.5, 2, 0).
        var diff = tensor(new double[] { 1, 0, 0, 0, 2, 0 }, new long[] { 2, 3 });
        var m = BiasSubspace.PairMatrix(diff);
        Assert.Equal(new double[] { 0.5, 0, 0, 0, 2, 0, 0, 0, 0 }, m.data<double>().ToArray());
        var p = BiasSubspace.ProjectionMatrix(m, 4);
        // (4M + I)⁻¹ = diag(1/3, 1/9, 1).
        var expected = new double[] { 1.0 / 3, 0, 0, 0, 1.0 / 9, 0, 0, 0, 1 };
        var got = p.data<double>().ToArray();
        for (int i = 0; i < 9; i++) Assert.Equal(expected[i], got[i], 12);
    }

    [Fact]
    public void ProjectionOfAGeneralMatrixIsSymmetricAndInvertsIt()
    {
        using var g = new Generator(5);
        var d = randn(new long[] { 6, 4 }, ScalarType.Float64, generator: g);
        var m = BiasSubspace.PairMatrix(d);
        // Direct: M = (1/n) Σ d dᵀ summed row by row.
        var direct = zeros(4, 4, ScalarType.Float64);
        for (int i = 0; i < 6; i++) direct += d[i].unsqueeze(1).matmul(d[i].unsqueeze(0));
        Assert.True(allclose(m, direct / 6, 1e-12, 1e-12));
        var p = BiasSubspace.ProjectionMatrix(m, 500);
        Assert.True(allclose(p, p.t(), 0, 0));
        Assert.True(allclose(p.matmul(500 * m + eye(4, dtype: ScalarType.Float64)), eye(4, dtype: ScalarType.Float64), 1e-9, 1e-9));
    }

    [Fact]
    public void BuildUsesNormalisedPairDifferencesAndMeasuresSkewAndEnergy()
    {
        // A fake encoder: "a X thing" -> fixed vectors in 3-d (scaled, to check the normalisation).
        var vectors = new Dictionary<string, double[]>
        {
            ["a up thing"] = new double[] { 0, 0, 5 }, ["a down thing"] = new double[] { 0, 0, -2 }, ["a thing"] = new double[] { 3, 0, 0 },
        };
        Tensor Eos(IReadOnlyList<string> prompts) =>
            tensor(prompts.SelectMany(p => vectors[p]).ToArray(), new long[] { prompts.Count, 3 }).to(ScalarType.Float32);
        var spec = new BiasSubspaceSpec { Pairs = new[] { new AttributePair("up", "down") }, Items = new[] { "thing" }, Template = "a {attribute} {item}", Lambda = 1 };
        using var s = BiasSubspace.Build(Eos, spec);
        // d = (0,0,1) - (0,0,-1) = (0,0,2): M = diag(0,0,4), P = diag(1,1,1/5), u = (0,0,1).
        Assert.Equal(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 0.2 }, s.Projection.data<double>().ToArray().Select(x => Math.Round(x, 12)));
        Assert.Equal(new double[] { 0, 0, 1 }, s.Axis.data<double>().ToArray());
        // Energies: named prompts |(0,0,±1) - (0,0,±0.2)| = 0.8, neutral (1,0,0) -> 0: threshold halfway = 0.4.
        Assert.Equal(0.4, s.ExplicitThreshold, 12);
        var (skew, energy) = s.Measure(tensor(new double[] { 0, 3, 4, 0, 0, -1 }, new long[] { 2, 3 }));
        // (0, 0.6, 0.8): r = (0, 0, 0.8 * 0.8) -> skew 0.64; (0,0,-1): skew -0.8.
        Assert.Equal(0.64, skew[0], 12);
        Assert.Equal(-0.8, skew[1], 12);
        Assert.Equal(0.64, energy[0], 12);
        Assert.Equal(0.8, energy[1], 12);
    }

    [Fact]
    public void SpecErrorsNameTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => new BiasSubspaceSpec { Pairs = new[] { new AttributePair("a", "b") }, Items = new[] { "x" }, Template = "no slots" }.Validate());
        Assert.Contains("{attribute}", e.Message);
        Assert.Throws<ArgumentException>(() => new BiasSubspaceSpec { Items = new[] { "x" } }.Validate());
        Assert.Equal("a x", new BiasSubspaceSpec { Template = "a {attribute} {item}" }.NeutralPrompt("x"));
    }
}
