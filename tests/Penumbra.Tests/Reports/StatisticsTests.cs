using Penumbra.Reports;

namespace Penumbra.Tests.Reports;

/// <summary>Every statistic against values worked out by hand in the comments.</summary>
public class StatisticsTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void AverageRanksShareTies()
    {
        // 10 is 1st; the two 20s hold ranks 2 and 3 -> 2.5 each; 30 is 4th.
        Assert.Equal(new[] { 1, 2.5, 2.5, 4 }, Ranks.Average(new double[] { 10, 20, 20, 30 }));
        // Unsorted input, three-way tie: 5s hold ranks 2,3,4 -> 3.
        Assert.Equal(new[] { 3, 1, 3, 5, 3.0 }, Ranks.Average(new double[] { 5, 1, 5, 9, 5 }));
    }

    [Fact]
    public void SpearmanWithoutTiesMatchesTheDifferenceFormula()
    {
        // d = rank(x) - rank(y) = [-1, 1, -1, 1, 0]; sum d^2 = 4; rho = 1 - 6*4 / (5*(25-1)) = 1 - 24/120 = 0.8.
        Assert.Equal(0.8, RankCorrelation.Spearman(new double[] { 1, 2, 3, 4, 5 }, new double[] { 2, 1, 4, 3, 5 }), Tol);
        Assert.Equal(-1.0, RankCorrelation.Spearman(new double[] { 1, 2, 3 }, new double[] { 30, 20, 10 }), Tol);
    }

    [Fact]
    public void SpearmanWithTiesIsPearsonOfAverageRanks()
    {
        // x ranks [1, 2.5, 2.5, 4], y ranks [1, 3, 2, 4], both with mean 2.5.
        // dx = [-1.5, 0, 0, 1.5], dy = [-1.5, 0.5, -0.5, 1.5]: sum dx*dy = 4.5, sum dx^2 = 4.5, sum dy^2 = 5.
        // rho = 4.5 / sqrt(4.5 * 5) = sqrt(0.9).
        Assert.Equal(Math.Sqrt(0.9), RankCorrelation.Spearman(new double[] { 1, 2, 2, 3 }, new double[] { 1, 3, 2, 4 }), Tol);
        Assert.True(double.IsNaN(RankCorrelation.Spearman(new double[] { 1, 1, 1 }, new double[] { 1, 2, 3 })));
    }

    [Fact]
    public void PartialSpearmanHoldsTheThirdVariableFixed()
    {
        // Ranks x = [1,2,3,4], y = [1,3,2,4], z = [2,1,3,4] (the values are their own ranks), means 2.5, sum of squares 5:
        // r_xy = 4/5, r_xz = 4/5, r_yz = 2/5 -> (0.8 - 0.8*0.4) / sqrt((1 - 0.64)(1 - 0.16)) = 0.48 / sqrt(0.36 * 0.84).
        var x = new double[] { 1, 2, 3, 4 };
        var y = new double[] { 1, 3, 2, 4 };
        var z = new double[] { 2, 1, 3, 4 };
        Assert.Equal(0.48 / Math.Sqrt(0.36 * 0.84), RankCorrelation.PartialSpearman(x, y, z), Tol);
        // A constant z holds nothing fixed; a z with the ranks of x leaves x nothing to vary.
        Assert.Equal(RankCorrelation.Spearman(x, y), RankCorrelation.PartialSpearman(x, y, new double[] { 7, 7, 7, 7 }), Tol);
        Assert.True(double.IsNaN(RankCorrelation.PartialSpearman(x, y, new double[] { 10, 20, 30, 40 })));

        // On data with ties: the Pearson correlation of the residuals of rank(x) and rank(y) after a least-squares line on
        // rank(z), written out here.
        var rng = new Random(3);
        var w = Enumerable.Range(0, 50).Select(_ => (double)rng.Next(8)).ToArray();
        var a = w.Select(v => v + rng.Next(6)).ToArray();
        var b = w.Select(v => -v + rng.Next(6)).ToArray();
        double[] ra = Ranks.Average(a), rb = Ranks.Average(b), rw = Ranks.Average(w);
        double[] Residual(double[] r)
        {
            double mr = r.Average(), mw = rw.Average();
            double slope = r.Zip(rw, (u, v) => (u - mr) * (v - mw)).Sum() / rw.Sum(v => (v - mw) * (v - mw));
            return r.Zip(rw, (u, v) => u - mr - slope * (v - mw)).ToArray();
        }
        Assert.Equal(RankCorrelation.Pearson(Residual(ra), Residual(rb)), RankCorrelation.PartialSpearman(a, b, w), 1e-12);
        // a and b only share w: plainly correlated (negatively), hardly at all with w held fixed.
        Assert.True(RankCorrelation.Spearman(a, b) < -0.4);
        Assert.True(Math.Abs(RankCorrelation.PartialSpearman(a, b, w)) < 0.3);
    }

    [Fact]
    public void BootstrapPartialSpearmanEqualsRankingEachResample()
    {
        // The interval against the bootstrap written out: resample b draws with a Mersenne Twister seeded by
        // ResampleSeed(seed, b), each resample is ranked afresh, and the interval is the type-7 2.5% / 97.5% quantiles.
        var rng = new Random(9);
        var z = Enumerable.Range(0, 30).Select(_ => (double)rng.Next(5)).ToArray();
        var x = z.Select(v => v + rng.Next(4)).ToArray();
        var y = z.Select(v => v + rng.Next(4)).ToArray();
        const int resamples = 200, seed = 4;
        var reps = new List<double>();
        for (int r = 0; r < resamples; r++)
        {
            var draw = new MathNet.Numerics.Random.MersenneTwister(Bootstrap.ResampleSeed(seed, r), threadSafe: false);
            var idx = Enumerable.Range(0, 30).Select(_ => draw.Next(30)).ToArray();
            double v = RankCorrelation.PartialSpearman(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray(), idx.Select(i => z[i]).ToArray());
            if (double.IsFinite(v)) reps.Add(v);
        }
        reps.Sort();
        var ci = Bootstrap.PartialSpearman(x, y, z, resamples, seed);
        Assert.Equal(RankCorrelation.PartialSpearman(x, y, z), ci.Estimate, Tol);
        Assert.Equal(Quantiles.Type7(reps, 0.025), ci.Lower, 1e-12);
        Assert.Equal(Quantiles.Type7(reps, 0.975), ci.Upper, 1e-12);
    }

    [Fact]
    public void HaltingKeepsTheLowestScoringPrompts()
    {
        // Sorted by score: 1 (q 0.9), 2 (0.8), 3 (0.5), 4 (0.3), 5 (0.1); a NaN score is left out.
        var scores = new[] { 5, 1, 3, 2, 4, double.NaN };
        var quality = new[] { 0.1, 0.9, 0.5, 0.8, 0.3, 1.0 };
        var t = HaltingTable.Compute("eu", scores, quality, new[] { 1.0, 0.6, 0.2, 0.5 });
        // 100%: all 5, threshold 5, mean (0.1+0.9+0.5+0.8+0.3)/5 = 0.52, nothing halted.
        Assert.Equal((5, 5.0), (t.Rows[0].Kept, t.Rows[0].Threshold));
        Assert.Equal(0.52, t.Rows[0].MeanQualityKept, Tol);
        Assert.True(double.IsNaN(t.Rows[0].MeanQualityHalted));
        // 60%: 0.6 x 5 = 3 kept (scores 1, 2, 3): (0.9+0.8+0.5)/3; halted (0.3+0.1)/2.
        Assert.Equal((3, 3.0), (t.Rows[1].Kept, t.Rows[1].Threshold));
        Assert.Equal(2.2 / 3, t.Rows[1].MeanQualityKept, Tol);
        Assert.Equal(0.2, t.Rows[1].MeanQualityHalted, Tol);
        // 20%: 1 kept (score 1); halted (0.1+0.5+0.8+0.3)/4.
        Assert.Equal((1, 0.9), (t.Rows[2].Kept, t.Rows[2].MeanQualityKept));
        Assert.Equal(0.425, t.Rows[2].MeanQualityHalted, Tol);
        // 50%: ceil(2.5) = 3 kept.
        Assert.Equal(3, t.Rows[3].Kept);
        Assert.Throws<ArgumentException>(() => HaltingTable.Compute("eu", scores, quality, new[] { 0.0 }));
    }

    [Fact]
    public void Type7QuantilesInterpolate()
    {
        var x = new double[] { 1, 2, 3, 4 };
        Assert.Equal(1.75, Quantiles.Type7(x, 0.25), Tol);   // h = 3 * 0.25 = 0.75
        Assert.Equal(2.5, Quantiles.Type7(x, 0.5), Tol);     // h = 1.5
        Assert.Equal(3.925, Quantiles.Type7(x, 0.975), Tol); // h = 2.925
        Assert.Equal(4, Quantiles.Type7(x, 1), Tol);
    }

    [Fact]
    public void AurocCountsPairsAndHalfTies()
    {
        // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both -> 3 of 4 pairs.
        Assert.Equal(0.75, Separation.Auroc(new[] { 0.1, 0.4, 0.35, 0.8 }, new[] { false, false, true, true }), Tol);
        // Positives {2, 3}, negatives {1, 2}: 2>1 (1), 2=2 (0.5), 3>1 (1), 3>2 (1) -> 3.5 / 4.
        Assert.Equal(0.875, Separation.Auroc(new double[] { 1, 2, 2, 3 }, new[] { false, true, false, true }), Tol);
        // All tied: every pair counts one half.
        Assert.Equal(0.5, Separation.Auroc(new double[] { 5, 5, 5, 5 }, new[] { true, false, false, false }), Tol);
        Assert.True(double.IsNaN(Separation.Auroc(new double[] { 1, 2 }, new[] { true, true })));
    }

    [Fact]
    public void AveragePrecisionStepsOverDistinctThresholds()
    {
        // Descending: 0.8 (pos): recall 1/2, precision 1 -> 0.5; 0.4 (neg): no recall gain; 0.35 (pos): recall 1,
        // precision 2/3 -> + 0.5 * 2/3. AP = 0.5 + 1/3.
        Assert.Equal(0.5 + 1.0 / 3, Separation.AveragePrecision(new[] { 0.1, 0.4, 0.35, 0.8 }, new[] { false, false, true, true }), Tol);
        // Ties enter together: t=3: tp 1 of 1 seen (recall 1/2, precision 1); t=2: tp 2 of 3 seen (recall 1, precision 2/3).
        Assert.Equal(0.5 + 1.0 / 3, Separation.AveragePrecision(new double[] { 1, 2, 2, 3 }, new[] { false, true, false, true }), Tol);
        // One threshold holding everything: recall 1 at precision 1/4.
        Assert.Equal(0.25, Separation.AveragePrecision(new double[] { 5, 5, 5, 5 }, new[] { true, false, false, false }), Tol);
    }

    [Fact]
    public void ExactPermutationTestEnumeratesAllRelabelings()
    {
        // Groups a = {1, 2}, b = {3, 4}: 4!/(2!2!) = 6 relabelings. T = sum n_g (mean_g - 2.5)^2:
        // {1,2}|{3,4} and its mirror: 2*1 + 2*1 = 4; {1,3}|{2,4} and mirror: 2*0.25*2 = 1; {1,4}|{2,3} and mirror: 0.
        // Observed T = 4; relabelings with T >= 4: 2 of 6 -> p = 1/3.
        var r = PermutationTest.Test(new double[] { 1, 2, 3, 4 }, new[] { "a", "a", "b", "b" });
        Assert.True(r.Exact);
        Assert.Equal(6, r.Relabelings);
        Assert.Equal(4, r.Statistic, Tol);
        Assert.Equal(1.0 / 3, r.PValue, Tol);
        // Groups of one: every relabeling has the same T = sum (x - 2)^2 = 2 -> p = 1.
        var single = PermutationTest.Test(new double[] { 1, 2, 3 }, new[] { "a", "b", "c" });
        Assert.Equal(2, single.Statistic, Tol);
        Assert.Equal(1, single.PValue, Tol);
    }

    [Fact]
    public void MonteCarloPermutationTestUsesPlusOneCorrection()
    {
        // 15 vs 15 values fully separated: C(30,15) relabelings is too many to enumerate; only the observed split and
        // its mirror reach the observed T, which 5000 random relabelings essentially never draw: p = (1 + 0) / (1 + 5000).
        var values = Enumerable.Range(0, 30).Select(i => (double)i).ToArray();
        var labels = values.Select(v => v < 15 ? "low" : "high").ToArray();
        var r = PermutationTest.Test(values, labels, permutations: 5000, seed: 7);
        Assert.False(r.Exact);
        Assert.Equal(1.0 / 5001, r.PValue, Tol);
    }

    [Fact]
    public void BootstrapOfTwoPointsHasBinomialQuantiles()
    {
        // Resampled means of {0, 1} take 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4; with 4000 resamples about 1000
        // are 0 and 1000 are 1, so the 2.5% and 97.5% quantiles are exactly 0 and 1.
        var i = Bootstrap.Mean(new double[] { 0, 1 }, resamples: 4000, seed: 3);
        Assert.Equal(0.5, i.Estimate, Tol);
        Assert.Equal(0, i.Lower, Tol);
        Assert.Equal(1, i.Upper, Tol);
        // A constant sample has a degenerate interval.
        var c = Bootstrap.Mean(new double[] { 2, 2, 2, 2 }, resamples: 500, seed: 1);
        Assert.Equal((2.0, 2.0, 2.0), (c.Estimate, c.Lower, c.Upper));
    }

    [Fact]
    public void BootstrapIsSeeded()
    {
        var x = Enumerable.Range(0, 40).Select(k => Math.Sin(k * 1.3) + 0.05 * k).ToArray();
        var y = Enumerable.Range(0, 40).Select(k => Math.Cos(k * 0.7) + 0.03 * k).ToArray();
        var a = Bootstrap.Spearman(x, y, 1000, seed: 11);
        var b = Bootstrap.Spearman(x, y, 1000, seed: 11);
        var c = Bootstrap.Spearman(x, y, 1000, seed: 12);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Lower, c.Lower);
        Assert.Equal(RankCorrelation.Spearman(x, y), a.Estimate, Tol);
        Assert.True(a.Lower < a.Estimate && a.Estimate < a.Upper);
        // Perfectly monotone pairs: every non-constant resample has rho = 1.
        var m = Bootstrap.Spearman(new double[] { 1, 2, 3, 4, 5, 6 }, new double[] { 2, 4, 8, 16, 32, 64 }, 500, seed: 0);
        Assert.Equal(1, m.Estimate, Tol);
        Assert.Equal(1, m.Lower, Tol);
        Assert.Equal(1, m.Upper, Tol);
    }

    [Fact]
    public void WeightedSpearmanEqualsRankingTheResample()
    {
        // Resample {x0, x0, x2, x3} of x = [1, 2, 2, 3], y = [1, 3, 2, 4] (x1 not drawn, x0 twice):
        // x values [1, 1, 2, 3] -> ranks [1.5, 1.5, 3, 4]; y values [1, 1, 2, 4] -> ranks [1.5, 1.5, 3, 4]: rho = 1.
        var x = new double[] { 1, 2, 2, 3 };
        var y = new double[] { 1, 3, 2, 4 };
        Assert.Equal(1, Bootstrap.WeightedSpearman(Bootstrap.TieGroups(x), Bootstrap.TieGroups(y), new[] { 2, 0, 1, 1 }), Tol);
        // And on random data with ties, against ranking the drawn values directly.
        var rng = new Random(5);
        var a = Enumerable.Range(0, 60).Select(_ => (double)rng.Next(10)).ToArray();
        var b = Enumerable.Range(0, 60).Select(i => a[i] + rng.Next(5)).ToArray();
        for (int trial = 0; trial < 20; trial++)
        {
            var idx = Enumerable.Range(0, 60).Select(_ => rng.Next(60)).ToArray();
            var counts = new int[60];
            foreach (var i in idx) counts[i]++;
            double direct = RankCorrelation.Spearman(idx.Select(i => a[i]).ToArray(), idx.Select(i => b[i]).ToArray());
            Assert.Equal(direct, Bootstrap.WeightedSpearman(Bootstrap.TieGroups(a), Bootstrap.TieGroups(b), counts), 1e-12);
        }
    }

    [Fact]
    public void QuartilesSplitBySortedPosition()
    {
        // Sorted positions of [5,1,4,2,3,8,7,6]: value v sits at v-1; quartile = floor(4 pos / 8) + 1 = floor(pos/2) + 1.
        Assert.Equal(new[] { 3, 1, 2, 1, 2, 4, 4, 3 }, QuartileTable.Assign(new double[] { 5, 1, 4, 2, 3, 8, 7, 6 }));
        // n = 6: positions 0..5 -> floor(4 pos / 6) = 0,0,1,2,2,3.
        Assert.Equal(new[] { 1, 1, 2, 3, 3, 4 }, QuartileTable.Assign(new double[] { 1, 2, 3, 4, 5, 6 }));
        var scores = new double[] { 5, 1, 4, 2, 3, 8, 7, 6 };
        var quality = new double[] { 50, 10, 40, 20, 30, 80, 70, 60 };
        var t = QuartileTable.Compute("eu", scores, new Dictionary<string, IReadOnlyList<double>> { ["q"] = quality });
        // Q1 = {1,2} -> quality {10,20}, mean 15; Q2 = {3,4} -> 35; Q3 = {5,6} -> 55; Q4 = {7,8} -> 75.
        Assert.Equal(new[] { 15.0, 35, 55, 75 }, t.Rows.Select(r => r.Means["q"]));
        Assert.Equal(new[] { (1.0, 2.0), (3, 4), (5, 6), (7, 8) }, t.Rows.Select(r => (r.ScoreMin, r.ScoreMax)));
    }

    [Fact]
    public void FairnessIsMeanL2DistanceFromUniform()
    {
        var classes = new[] { "man", "woman" };
        // 3 men, 1 woman: p = [0.75, 0.25]; d = sqrt(0.25^2 + 0.25^2) = sqrt(0.125).
        var a = new Dictionary<string, int> { ["man"] = 3, ["woman"] = 1 };
        Assert.Equal(Math.Sqrt(0.125), Fairness.DistanceFromUniform(Fairness.Distribution(a, classes)), Tol);
        // All women: p = [0, 1]; d = sqrt(0.5) = the maximum sqrt(1 - 1/2).
        var b = new Dictionary<string, int> { ["woman"] = 4 };
        Assert.Equal(Math.Sqrt(0.5), Fairness.DistanceFromUniform(Fairness.Distribution(b, classes)), Tol);
        Assert.Equal(Math.Sqrt(0.5), Fairness.MaxDistance(2), Tol);
        // Balanced: 0. Score over the three prompts: (sqrt(0.125) + sqrt(0.5) + 0) / 3.
        var c = new Dictionary<string, int> { ["man"] = 2, ["woman"] = 2 };
        Assert.Equal((Math.Sqrt(0.125) + Math.Sqrt(0.5)) / 3, Fairness.Score(new[] { a, b, c }, classes), Tol);
        // A class that never occurs still counts: K = 3, p = [1, 0, 0]: d = sqrt((2/3)^2 + 2 (1/3)^2) = sqrt(2/3).
        Assert.Equal(Math.Sqrt(2.0 / 3), Fairness.DistanceFromUniform(Fairness.Distribution(new Dictionary<string, int> { ["x"] = 2 }, new[] { "x", "y", "z" })), Tol);
    }

    [Fact]
    public void GroupMeansAndTheirTest()
    {
        // a = {1, 2, 3} (mean 2), b = {10} (mean 10, no interval from one value); T = 3 (2 - 4)^2 + 1 (10 - 4)^2 = 48.
        // Relabelings: 4 (which value is alone); T >= 48 only when 10 is alone -> p = 1/4.
        var g = GroupComparison.Compute("col", "eu", new double[] { 1, 2, 10, 3 }, new[] { "a", "a", "b", "a" }, resamples: 200);
        Assert.Equal(new[] { "a", "b" }, g.Groups.Select(x => x.Group));
        Assert.Equal(2, g.Groups[0].Mean.Estimate, Tol);
        Assert.Equal(10, g.Groups[1].Mean.Estimate, Tol);
        Assert.True(double.IsNaN(g.Groups[1].Mean.Lower));
        Assert.Equal(48, g.Test.Statistic, Tol);
        Assert.Equal(0.25, g.Test.PValue, Tol);
    }
}
