using Penumbra.Audit;
using Penumbra.Imaging;
using Penumbra.Reports;
using Penumbra.Tests.Audit;

namespace Penumbra.Tests.Reports;

/// <summary>A scorer that declares its uncertainty scores and quality metric (as the EMoE scorer does) and stores image
/// aggregates at prompt level: prompt i of 8 has eu = i, router_entropy = 7 - i, ssim_pairwise = i/10, q_mean = 1,
/// two images with metrics aaa = 0 and q = 1 - i/10, gender man/man for i &lt; 4 and man/woman otherwise.</summary>
public class DeclaredScoresReportTests
{
    private sealed class DeclaringScorer : IPromptScorer
    {
        public IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["name"] = "declaring", ["uncertainty_scores"] = "eu,router_entropy,not_stored", ["quality_metric"] = "q",
        };

        public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; } =
            new Dictionary<string, IReadOnlyList<string>> { ["gender"] = new[] { "man", "woman" } };

        public IReadOnlyList<ScoringResult> Score(IReadOnlyList<ScoringRequest> batch, CancellationToken cancellationToken) =>
            batch.Select(r =>
            {
                int i = int.Parse(r.Prompt.Id);
                var scores = new Dictionary<string, double> { ["eu"] = i, ["router_entropy"] = 7 - i, ["ssim_pairwise"] = i / 10.0, ["q_mean"] = 1 };
                var images = Enumerable.Range(0, r.Images).Select(k => new ImageResult(
                    new Dictionary<string, double> { ["aaa"] = 0, ["q"] = 1 - i / 10.0 },
                    new Dictionary<string, string> { ["gender"] = i < 4 || k == 0 ? "man" : "woman" },
                    new RgbImage(2, 2, new byte[12]))).ToList();
                return new ScoringResult(scores, images);
            }).ToList();

        public void Dispose() { }
    }

    private static AuditReport Build(TempFolder tmp)
    {
        var db = tmp.File("run.db");
        var prompts = Enumerable.Range(0, 8).Select(i => PromptRecord.Create(i.ToString(), $"prompt {i}"));
        AuditRunner.Run(new AuditRunOptions { DatabasePath = db, Images = 2 }, prompts, new DeclaringScorer());
        return AuditAnalysis.Analyze(AuditDataset.Load(db), new AuditReportOptions { Resamples = 100 });
    }

    [Fact]
    public void DeclaredScoresAreTheBaselinesAndDiversitySitsBesideQuality()
    {
        using var tmp = new TempFolder();
        var r = Build(tmp);
        Assert.Equal(("eu", "q", "ssim_pairwise"), (r.Score, r.Quality, r.Diversity));
        Assert.Equal(new[] { "router_entropy" }, r.Baselines); // not ssim_pairwise, q_mean, or the unstored name
        var eu = r.Quartiles.Single(t => t.Score == "eu").Rows;
        // eu quartiles of 8 prompts: {0,1}, {2,3}, {4,5}, {6,7}.
        Assert.Equal(new[] { 0.05, 0.25, 0.45, 0.65 }, eu.Select(q => Math.Round(q.Means["ssim_pairwise"], 12)));
        Assert.Equal(new[] { 0.95, 0.75, 0.55, 0.35 }, eu.Select(q => Math.Round(q.Means["q"], 12)));
        var rt = r.Quartiles.Single(t => t.Score == "router_entropy").Rows;
        Assert.Equal(0.65, rt[0].Means["ssim_pairwise"], 12); // router_entropy is reversed: Q1 = {7,6}
    }

    [Fact]
    public void AttributesPerScoreQuartileShowEuAndBaselinesSideBySide()
    {
        using var tmp = new TempFolder();
        var r = Build(tmp);
        var table = r.AttributesByQuartile.Single();
        Assert.Equal(new[] { "eu", "eu", "eu", "eu", "router_entropy", "router_entropy", "router_entropy", "router_entropy" }, table.Rows.Select(x => x.Column));
        double allMan = Math.Sqrt(0.5); // p = (1, 0): sqrt((1 - 1/2)^2 + (0 - 1/2)^2)
        var expected = new[] { allMan, allMan, 0, 0, 0, 0, allMan, allMan };
        Assert.All(table.Rows.Zip(expected), p => Assert.Equal(p.Second, p.First.FairnessScore, 12));
        Assert.Equal(new[] { 1.0, 0.0 }, table.Rows[0].Proportions);
        Assert.Equal(new[] { 0.5, 0.5 }, table.Rows[3].Proportions);
        Assert.All(table.Rows, x => Assert.Equal((2, 4), (x.Prompts, x.Images)));

        var md = tmp.File("r.md");
        MarkdownReport.Write(r, md);
        var text = File.ReadAllText(md);
        Assert.Contains("### gender by score quartile", text);
        Assert.Contains("| eu | Q1 | 2 | 4 | 100.0% | 0.0% | 0.707 |", text);
        Assert.Contains("mean ssim_pairwise", text);
        Assert.Contains("(r_files/quartiles_diversity.png)", text);
        var html = tmp.File("r.html");
        HtmlReport.Write(r, html);
        Assert.Contains("gender by score quartile", File.ReadAllText(html));
    }

    [Fact]
    public void SmallValuesKeepSignificantDigits()
    {
        Assert.Equal(("0.00123", "0.500", "0.000", "-0.0005", "n/a"),
            (ReportFormat.Num(0.0012345), ReportFormat.Num(0.5), ReportFormat.Num(0), ReportFormat.Num(-0.0005), ReportFormat.Num(double.NaN)));
    }
}
