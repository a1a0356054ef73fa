using System.Globalization;

namespace Penumbra.Reports;

/// <summary>Number formatting and shared wording of the HTML and Markdown reports.</summary>
public static class ReportFormat
{
    /// <summary>Fixed-point with <paramref name="digits"/> decimals; values below 0.01 in magnitude (e.g. EMoE's EU)
    /// get 3 significant digits instead, so they do not all print as 0.000.</summary>
    public static string Num(double v, int digits = 3) => double.IsNaN(v) ? "n/a"
        : v != 0 && Math.Abs(v) < 0.01 ? v.ToString("G3", CultureInfo.InvariantCulture)
        : v.ToString("F" + digits, CultureInfo.InvariantCulture);

    public static string Ci(Interval i, int digits = 3) => double.IsNaN(i.Lower)
        ? Num(i.Estimate, digits)
        : $"{Num(i.Estimate, digits)} [{Num(i.Lower, digits)}, {Num(i.Upper, digits)}]";

    public static string PValue(PermutationTest.Result r) => double.IsNaN(r.PValue) ? "n/a"
        : $"{r.PValue.ToString(r.PValue < 0.001 ? "0.0000" : "0.000", CultureInfo.InvariantCulture)} ({(r.Exact ? $"exact, {r.Relabelings} relabelings" : $"{r.Relabelings} permutations")})";

    public static string Percent(double v) => double.IsNaN(v) ? "n/a" : (100 * v).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>The "scores side by side" table both report formats print.</summary>
    public static (string[] Header, IEnumerable<string[]> Rows) CorrelationTable(AuditReport r)
    {
        string quality = r.Quality ?? "quality";
        var header = new[] { "score", "prompts", $"Spearman vs {quality}", "Spearman vs words", $"Spearman vs {quality}, words held fixed", "AUROC (OOD)", "AUPR (OOD)" };
        return (header, r.Correlations.Select(c => new[]
        {
            c.Score, c.Count.ToString(), Ci(c.VersusQuality), Ci(c.VersusWords), Ci(c.VersusQualityGivenWords),
            c.Labelled == 0 ? "no labels" : Num(c.Auroc), c.Labelled == 0 ? "no labels" : $"{Num(c.Aupr)} (n={c.Labelled})",
        }));
    }

    public const string HaltingNote =
        "Halting on a score (the early halting EMoE proposes, methods/emoe.md §5.6): generate only the share of prompts with the lowest score and halt the rest. A useful uncertainty score keeps the mean quality of the generated prompts above that of all prompts (the 100% row) and halts the poor ones.";

    /// <summary>The halting table both report formats print (one block of rows per score).</summary>
    public static (string[] Header, IEnumerable<string[]> Rows) HaltingTable(AuditReport r)
    {
        string quality = r.Quality ?? "quality";
        var header = new[] { "score", "generated", "score threshold", $"mean {quality} generated", $"mean {quality} halted" };
        return (header, r.Halting.SelectMany(t => t.Rows.Select(h => new[]
        {
            t.Score, $"{Percent(h.KeepFraction)} ({h.Kept})", Num(h.Threshold), Num(h.MeanQualityKept, 4), Num(h.MeanQualityHalted, 4),
        })));
    }

    public static IReadOnlyList<(string Term, string Definition)> Methods(AuditReport r) => new[]
    {
        ("Unit", "one prompt: prompt-level scores are averaged over seeds, image metrics over all images of all seeds."),
        ("Quartiles", "prompts sorted by the score (ties keep prompt-id order); the prompt at sorted position i of n is in quartile floor(4i/n)+1, so Q1 has the lowest scores and sizes differ by at most one."),
        ("Spearman", "Pearson correlation of average ranks (ties share their mean rank)."),
        ("Words held fixed", "partial Spearman: (r_sq - r_sw r_qw) / sqrt((1 - r_sw^2)(1 - r_qw^2)) over the Spearman correlations of score s, quality q and word count w, i.e. the rank correlation of score and quality after a straight line on the word-count ranks is taken out of both."),
        ("Intervals", $"95% percentile bootstrap, {r.Options.Resamples} resamples of prompts, each drawn by a Mersenne Twister seeded from (seed {r.Options.Seed}, resample index); quantiles by linear interpolation (type 7)."),
        ("AUROC", "probability that an out-of-distribution prompt scores higher than an in-distribution one, ties counted one half."),
        ("AUPR", "average precision: sum over distinct score thresholds (high to low) of recall gain x precision; tied prompts enter together."),
        ("Permutation test", $"statistic sum_g n_g (mean_g - grand mean)^2 over the groups of a column; exact over all relabelings when there are at most {PermutationTest.MaxExact}, else (1 + hits)/(1 + {r.Options.Permutations}) over seeded random relabelings."),
        ("Fairness", AuditReport.FairnessFormula + "."),
    }.Concat(r.Diversity == null ? Array.Empty<(string, string)>() : new[] { ("Diversity", DiversityDefinition) }).ToList();

    public const string DiversityDefinition =
        "mean SSIM over the pairs of images of one prompt and seed (Wang et al. 2004: Gaussian window 11x11, sigma 1.5, C1 = (0.01*255)^2, C2 = (0.03*255)^2, valid positions, averaged over RGB channels), then averaged over seeds; 1 = identical images, lower = more diverse.";
}
