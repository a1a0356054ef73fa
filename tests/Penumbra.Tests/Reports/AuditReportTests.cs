using Penumbra.Audit;
using Penumbra.Reports;
using Penumbra.Tests.Audit;

namespace Penumbra.Tests.Reports;

/// <summary>The report pipeline (database -> per-prompt summary -> statistics -> HTML/Markdown) on data whose
/// statistics are worked out by hand: prompt i of 12 has eu = i/8 for every seed, quality = 1 - eu for every
/// image, out-of-distribution when i % 3 == 0, group "low" for i &lt; 6, and images alternate man/woman.</summary>
public class AuditReportTests
{
    private static readonly string[] Texts = Enumerable.Range(0, 12).Select(i => $"prompt number {i}").ToArray();

    private static AuditReport Build(TempFolder tmp)
    {
        var db = tmp.File("run.db");
        var eu = Texts.Select((t, i) => (t, i / 8.0)).ToDictionary(p => p.t, p => p.Item2);
        var prompts = Texts.Select((t, i) => PromptRecord.Create($"id{i:D2}", t, new Dictionary<string, string> { ["half"] = i < 6 ? "low" : "high" }, i % 3 == 0));
        AuditRunner.Run(new AuditRunOptions { DatabasePath = db, Seeds = new long[] { 1, 2 }, Images = 2 }, prompts, new TableScorer(eu));
        return AuditAnalysis.Analyze(AuditDataset.Load(db), new AuditReportOptions { Resamples = 300 });
    }

    [Fact]
    public void StatisticsMatchHandValues()
    {
        using var tmp = new TempFolder();
        var r = Build(tmp);
        Assert.Equal(("eu", "quality"), (r.Score, r.Quality));
        Assert.Equal(new[] { "seed_echo" }, r.Baselines);
        var eu = r.Correlations[0];
        // quality = 1 - eu exactly: Spearman -1, and every resample too.
        Assert.Equal(-1, eu.VersusQuality.Estimate, 12);
        Assert.Equal(-1, eu.VersusQuality.Lower, 12);
        // Every prompt has 3 words: holding words fixed changes nothing.
        Assert.Equal(-1, eu.VersusQualityGivenWords.Estimate, 12);
        Assert.Equal(-1, eu.VersusQualityGivenWords.Upper, 12);
        // Positives i = 0,3,6,9 beat 0, 2, 4, 6 of the 8 negatives: AUROC = 12/32.
        Assert.Equal(12.0 / 32, eu.Auroc, 12);
        // From the top: a positive at ranks 3, 6, 9, 12, each adding recall 1/4 at precision 1/3: AP = 1/3.
        Assert.Equal(1.0 / 3, eu.Aupr, 12);
        Assert.Equal(12, eu.Labelled);
        // seed_echo is the mean seed 1.5 for every prompt: constant, so no correlation.
        Assert.True(double.IsNaN(r.Correlations[1].VersusQuality.Estimate));

        // Halting on eu (quality = 1 - eu): keeping the lowest half, i = 0..5, mean quality 1 - 2.5/8; halted i = 6..11: 1 - 8.5/8.
        var half50 = r.Halting[0].Rows.Single(h => h.KeepFraction == 0.5);
        Assert.Equal((6, 5 / 8.0), (half50.Kept, half50.Threshold));
        Assert.Equal(1 - 2.5 / 8, half50.MeanQualityKept, 12);
        Assert.Equal(1 - 8.5 / 8, half50.MeanQualityHalted, 12);
        Assert.Equal(r.AllScores, r.Halting.Select(h => h.Score));

        // Quartiles of 3 prompts: Q1 = i 0..2 (mean eu 1/8, quality 7/8), Q4 = i 9..11 (mean eu 10/8, quality -1/4);
        // characters: "prompt number 9" has 15, "prompt number 10" and "11" have 16.
        var q = r.Quartiles[0].Rows;
        Assert.Equal(new[] { 3, 3, 3, 3 }, q.Select(x => x.Count));
        Assert.Equal(0.875, q[0].Means["quality"], 12);
        Assert.Equal(-0.25, q[3].Means["quality"], 12);
        Assert.Equal(3, q[3].Means["words"], 12);
        Assert.Equal(47.0 / 3, q[3].Means["characters"], 12);

        // Groups: low = i 0..5 (mean eu 2.5/8), high = i 6..11 (mean 8.5/8); C(12,6) = 924 relabelings, only the
        // observed split and its mirror are as extreme: p = 2/924.
        var half = r.Groups.Single(g => g.Column == "half" && g.Value == "eu");
        Assert.Equal(new[] { ("high", 8.5 / 8), ("low", 2.5 / 8) }, half.Groups.Select(g => (g.Group, g.Mean.Estimate)));
        Assert.True(half.Test.Exact);
        Assert.Equal(2.0 / 924, half.Test.PValue, 12);

        // Images alternate man/woman: every prompt is balanced, fairness 0, proportions 50/50.
        var gender = r.Attributes.Single();
        Assert.Equal(new[] { "man", "woman" }, gender.Classes);
        Assert.All(gender.Rows, x => Assert.Equal((0.5, 0.5, 0.0), (x.Proportions[0], x.Proportions[1], x.FairnessScore)));
        Assert.Equal(48, gender.Rows[0].Images);

        Assert.Equal(new[] { "id11", "id10", "id09", "id08" }, r.MostUncertain.Select(p => p.Id));
        Assert.Equal(new[] { "id00", "id01", "id02", "id03" }, r.LeastUncertain.Select(p => p.Id));
        Assert.All(r.MostUncertain, p => Assert.True(File.Exists(p.Images[0].ImagePath)));
    }

    [Fact]
    public void HtmlIsSelfContainedAndMarkdownLinksItsPlots()
    {
        using var tmp = new TempFolder();
        var r = Build(tmp);
        var html = tmp.File("report.html");
        HtmlReport.Write(r, html);
        var text = File.ReadAllText(html);
        Assert.Contains("-1.000 [-1.000, -1.000]", text);
        Assert.Contains("0.375", text);
        Assert.Contains(AuditReport.FairnessFormula.Replace("'", "&#39;"), text);
        Assert.DoesNotContain("src=\"http", text);
        Assert.DoesNotContain("<script", text);
        // 4 plots (quartile quality, quartile words, scatter, halting) + 1 histogram + 8 grid prompts x 4 images (2 seeds x 2).
        Assert.Equal(37, System.Text.RegularExpressions.Regex.Matches(text, "src=\"data:image/png;base64,").Count);

        var md = tmp.File("report.md");
        MarkdownReport.Write(r, md);
        var m = File.ReadAllText(md);
        Assert.Contains("| eu | 12 | -1.000 [-1.000, -1.000] |", m);
        // Halting, 50% row: 6 prompts kept at threshold 5/8 = 0.625, mean quality 1 - 2.5/8 = 0.6875, halted 1 - 8.5/8 = -0.0625.
        Assert.Contains("| eu | 50.0% (6) | 0.625 | 0.6875 | -0.0625 |", m);
        Assert.Contains("Halting on the score", text);
        foreach (var png in new[] { "quartiles_quality.png", "score_vs_quality.png", "quartiles_words.png", "hist_half.png", "halting.png" })
        {
            Assert.Contains($"(report_files/{png})", m);
            var bytes = File.ReadAllBytes(tmp.File("report_files/" + png));
            Assert.Equal(new byte[] { 137, 80, 78, 71 }, bytes[..4]);
        }
    }
}
