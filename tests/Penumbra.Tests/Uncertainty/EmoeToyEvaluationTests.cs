using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Toy;
using Penumbra.Uncertainty;
using Xunit;

namespace Penumbra.Tests.Uncertainty;

public class EmoeToyEvaluationTests
{
    [Fact]
    public void PromptSetsFollowTheirDefinitions()
    {
        var prompts = EmoeToyEvaluation.Prompts(new EmoeToyOptions { PromptsPerSet = 20 });
        Assert.Equal(60, prompts.Count);
        foreach (var p in prompts.Where(p => p.Set == EmoeToyEvaluation.InSet))
            Assert.False(EmoeToyEvaluation.Unseen(ToyCaptionParser.Parse(p.Prompt)), p.Prompt);
        foreach (var p in prompts.Where(p => p.Set == EmoeToyEvaluation.UnseenSet))
        {
            Assert.True(EmoeToyEvaluation.Unseen(ToyCaptionParser.Parse(p.Prompt)), p.Prompt);
            // The concepts recorded are the unseen words the caption states.
            var words = new Dictionary<string, string[]>
            {
                ["triangle"] = new[] { "triangle" }, ["purple"] = new[] { "purple" }, ["right"] = new[] { "right" },
                ["top"] = new[] { "top" }, ["bottom"] = new[] { "bottom" },
            };
            Assert.NotEmpty(p.Concepts);
            Assert.Equal(words.Keys.Where(c => p.Prompt.Split(' ', ',').Contains(c)).Order(), p.Concepts.Order());
        }
        Assert.All(prompts.Where(p => p.Set != EmoeToyEvaluation.UnseenSet), p => Assert.Empty(p.Concepts));
        Assert.Equal(new[] { "triangle", "purple", "top" },
            EmoeToyEvaluation.UnseenConcepts(new ToyPrompt(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Top)));
        Assert.Empty(EmoeToyEvaluation.UnseenConcepts(new ToyPrompt(ToyShape.Circle, ToyColor.Red, ToyPosition.Left)));
        // Each Finnish prompt states the same attributes as its English pair.
        var english = prompts.Where(p => p.Set == EmoeToyEvaluation.InSet).ToDictionary(p => p.PairIndex);
        foreach (var f in prompts.Where(p => p.Set == EmoeToyEvaluation.FinnishSet))
            Assert.True(ToyCaptionParser.Parse(f.Prompt).SameAttributes(ToyCaptionParser.Parse(english[f.PairIndex].Prompt)), f.Prompt);
    }

    [Fact]
    public void TheColourExpertSetCountsOnlyItsLeftOutColoursAsUnseen()
    {
        var colours = Penumbra.Toy.Models.ToyExpertSet.Colours;
        var prompts = EmoeToyEvaluation.Prompts(new EmoeToyOptions { PromptsPerSet = 30, ExpertSet = colours });
        var leftOut = new[] { "green", "purple", "white" };
        string[] Words(string prompt) => prompt.Split(' ', ',');
        // The in-set may state any shape and position, but none of the three colours some expert never saw.
        var inSet = prompts.Where(p => p.Set == EmoeToyEvaluation.InSet).ToList();
        Assert.All(inSet, p => Assert.DoesNotContain(Words(p.Prompt), leftOut.Contains));
        Assert.Contains(inSet, p => Words(p.Prompt).Contains("triangle") || Words(p.Prompt).Contains("right") || Words(p.Prompt).Contains("top"));
        foreach (var p in prompts.Where(p => p.Set == EmoeToyEvaluation.UnseenSet))
            Assert.Equal(leftOut.Where(c => Words(p.Prompt).Contains(c)).ToArray(), p.Concepts.ToArray());
        Assert.Equal(new[] { "purple" }, EmoeToyEvaluation.UnseenConcepts(new ToyPrompt(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Top), colours));
        Assert.Empty(EmoeToyEvaluation.UnseenConcepts(new ToyPrompt(ToyShape.Triangle, ToyColor.Red, ToyPosition.Right), colours));
    }

    private static Dictionary<string, double> Paide(double value) => new() { [DecuPaide.Name] = value };

    [Fact]
    public void SummaryMatchesHandComputedStatistics()
    {
        // in: EU 1, 2; unseen: 3, 0.5; finnish (pairs 0, 1): 4, 1.5.
        var prompts = new[]
        {
            new EmoeToyPrompt("a", "in", 0) { PathMeasures = Paide(0.2), Eu = 1, RouterEntropy = 1, TokenLength = 3, SeedVariance = 1, CheckerScore = 0.9 },
            new EmoeToyPrompt("b", "in", 1) { PathMeasures = Paide(0.4), Eu = 2, RouterEntropy = 1, TokenLength = 3, SeedVariance = 1, CheckerScore = 0.8 },
            new EmoeToyPrompt("c", "unseen", 0) { Concepts = new[] { "purple" }, PathMeasures = Paide(0.3), Eu = 3, RouterEntropy = 1, TokenLength = 3, SeedVariance = 1, CheckerScore = 0.2 },
            new EmoeToyPrompt("d", "unseen", 1) { Concepts = new[] { "purple", "right" }, PathMeasures = Paide(0.1), Eu = 0.5, RouterEntropy = 1, TokenLength = 3, SeedVariance = 1, CheckerScore = 0.95 },
            new EmoeToyPrompt("e", "finnish", 0) { PathMeasures = Paide(0.5), Eu = 4, RouterEntropy = 1, TokenLength = 5, SeedVariance = 1, CheckerScore = 0.1 },
            new EmoeToyPrompt("f", "finnish", 1) { PathMeasures = Paide(0.6), Eu = 1.5, RouterEntropy = 1, TokenLength = 3, SeedVariance = 1, CheckerScore = 0.5 },
        };
        var r = EmoeToyEvaluation.Summarize(prompts, new EmoeToyOptions { BootstrapResamples = 200 });
        // OOD {3, 0.5, 4, 1.5} vs in {1, 2}: pairs won 2 + 0 + 2 + 1 = 5 of 8.
        Assert.Equal(5.0 / 8, r.Auroc["eu"], 12);
        Assert.Equal(0.5, r.Auroc["router_entropy"], 12); // all ties
        // DECU PaiDE: in {0.2, 0.4}; unseen {0.3, 0.1} wins 1 of 4; finnish {0.5, 0.6} wins 4 of 4; pooled 5 of 8.
        Assert.Equal(1.0 / 4, r.AurocBySet[DecuPaide.Name]["unseen"], 12);
        Assert.Equal(1.0, r.AurocBySet[DecuPaide.Name]["finnish"], 12);
        Assert.Equal(5.0 / 8, r.Auroc[DecuPaide.Name], 12);
        Assert.False(r.Auroc.ContainsKey(CosineDisagreement.Name)); // no prompt carries it: not reported as 0.5
        Assert.Equal(2.0 / 4, r.AurocBySet["eu"]["unseen"], 12); // {3, 0.5} vs {1, 2}
        Assert.Equal(3.0 / 4, r.AurocBySet["eu"]["finnish"], 12); // {4, 1.5} vs {1, 2}
        // Per concept: purple {3, 0.5} vs {1, 2}: 2 of 4; right {0.5}: 0 of 2.
        Assert.Equal(new[] { "purple", "right" }, r.EuAurocByConcept.Keys);
        Assert.Equal((0.5, 2), r.EuAurocByConcept["purple"]);
        Assert.Equal((0.0, 1), r.EuAurocByConcept["right"]);
        // Token length: Finnish {5, 3} vs in {3, 3}: 1 + 1 + 0.5 + 0.5 of 4; unseen {3, 3}: all ties; pooled {3, 3, 5, 3}: 5 of 8.
        Assert.Equal(3.0 / 4, r.AurocBySet["token_length"]["finnish"], 12);
        Assert.Equal(0.5, r.AurocBySet["token_length"]["unseen"], 12);
        Assert.Equal(5.0 / 8, r.Auroc["token_length"], 12);
        Assert.Equal(1.5, r.MeanEuEnglish, 12);
        Assert.Equal(2.75, r.MeanEuFinnish, 12);
        Assert.Equal(0.5, r.FinnishHigherFraction, 12); // 4 > 1, 1.5 < 2
        // Spearman of EU (1, 2, 3, 0.5, 4, 1.5) with checker (0.9, 0.8, 0.2, 0.95, 0.1, 0.5): ranks (2,4,5,1,6,3) vs
        // (5,4,2,6,1,3) -> d² = 9+0+9+25+25+0 = 68 -> 1 - 6·68/(6·35) = -0.942857...
        Assert.Equal(1 - 6.0 * 68 / (6 * 35), r.SpearmanEuChecker.Estimate, 12);
        // At fixed token length (3,3,3,3,5,3 -> ranks 3,3,3,3,6,3): r_xy = -33/35, r_xz = sqrt(3/7), r_yz = -sqrt(3/7),
        // partial = (-33/35 + 3/7) / (1 - 3/7) = -0.9.
        Assert.Equal(-0.9, r.SpearmanEuCheckerGivenLength.Estimate, 12);
        Assert.Equal((0.9 + 0.8 + 0.2 + 0.95 + 0.1 + 0.5) / 6, r.MeanCheckerScore, 12);
    }

    [Fact]
    public void LatentSeedsAverageEachPromptsScoresOverItsLatents()
    {
        using var moe = SegMoePipeline.FromPretrained(Fixtures.Path("moe", "tiny-segmoe"));
        var options = new EmoeToyOptions { PromptsPerSet = 2, CheckImages = false, Emoe = new EmoeOptions { Seed = 3 }, LatentSeeds = 3 };
        var report = EmoeToyEvaluation.Run(moe, options);
        var estimator = new EmoeEstimator(moe);
        Assert.Equal(6, report.Prompts.Count);
        foreach (var p in report.Prompts)
        {
            // Each latent scored alone, EU and the cosine disagreement of its paths, then the plain mean over seeds 3, 4, 5.
            var eus = new List<double>();
            var cosines = new List<double>();
            foreach (long seed in new long[] { 3, 4, 5 })
                using (var alone = estimator.Score(p.Prompt, new EmoeOptions { Seed = seed }))
                {
                    eus.Add(alone.Eu);
                    cosines.Add(CosineDisagreement.Score(alone.PathLatents));
                }
            Assert.True(eus.Max() - eus.Min() > 1e-3 * eus.Average(), "the latents should give different EUs");
            Assert.Equal(eus.Average(), p.Eu, eus.Average() * 1e-5);
            Assert.Equal(cosines.Average(), p.PathMeasures[CosineDisagreement.Name], Math.Max(cosines.Average() * 1e-4, 1e-9));
        }
        Assert.Throws<ArgumentException>(() => EmoeToyEvaluation.Run(moe, options with { LatentSeeds = 0 }));
    }
}
