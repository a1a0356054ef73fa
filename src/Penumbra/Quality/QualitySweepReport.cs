using System.Globalization;
using System.Text;

namespace Penumbra.Quality;

/// <summary>Everything <see cref="QualitySweep.Run"/> measured, and the recommended default (the chosen schedule if it
/// wins on held-out prompts, else g ≡ 1), with Markdown tables for the closing note.</summary>
public sealed record QualitySweepReport(QualitySweepOptions Options, string Model, IReadOnlyList<ConfigResult> Sweep,
    HeldOutComparison HeldOut, IReadOnlyList<RedFractionRow> RedFractions, IReadOnlyList<ConfigResult> ImageToImage,
    string RecommendedDefault, double Seconds)
{
    public string ToMarkdown()
    {
        var o = Options;
        var sb = new StringBuilder();
        sb.AppendLine($"Model `{Model}`, {o.Steps} steps, guidance {F(o.GuidanceScale, 1)}, seeds {string.Join(",", o.Seeds)}, " +
                      $"scheduler {o.Scheduler ?? "the model's"}; intervals: 95% percentile bootstrap over prompts ({o.Resamples} resamples); " +
                      $"toy-FID against {o.RealImages} renders of the data. Total {Seconds:F0} s.");
        sb.AppendLine();
        sb.AppendLine($"### Sweep ({o.Prompts} in-distribution prompts x {o.Seeds.Count} seeds)");
        sb.AppendLine();
        Table(sb, Sweep, withStrength: false);
        sb.AppendLine();
        var h = HeldOut;
        sb.AppendLine($"### Chosen (lowest sweep toy-FID among schedules whose checker score is not below g = 1's) `{h.Chosen}` vs g = 1 on {o.HeldOutPrompts} held-out prompts");
        sb.AppendLine();
        Table(sb, h.Candidate == h.Baseline ? new[] { h.Baseline } : new[] { h.Baseline, h.Candidate }, withStrength: false);
        sb.AppendLine();
        sb.AppendLine($"Paired difference (chosen - g=1): toy-FID {h.ToyFidDifference.Format(2)}, checker {h.CheckerDifference}. " +
                      $"Wins: {(h.Wins ? "yes" : "no")}. Recommended default: `{RecommendedDefault}`.");
        sb.AppendLine();
        sb.AppendLine($"### Red fraction for {o.ColourlessPrompts} colourless prompts x {o.Seeds.Count} seeds (data: 0.80)");
        sb.AppendLine();
        sb.AppendLine("| schedule | red fraction [95% CI] | shapes found / images |");
        sb.AppendLine("|---|---|---|");
        foreach (var r in RedFractions) sb.AppendLine($"| `{r.Schedule}` | {r.RedFraction} | {r.Found} / {r.Images} |");
        sb.AppendLine();
        sb.AppendLine($"### Image-to-image from renders of the {o.Prompts} sweep prompts' scenes");
        sb.AppendLine();
        Table(sb, ImageToImage, withStrength: true);
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, IEnumerable<ConfigResult> rows, bool withStrength)
    {
        sb.AppendLine(withStrength
            ? "| strength | schedule | checker | toy-FID | diversity | RMS to input |"
            : "| schedule | checker | toy-FID | diversity |");
        sb.AppendLine(withStrength ? "|---|---|---|---|---|---|" : "|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine(withStrength
                ? $"| {F(r.Strength ?? double.NaN, 1)} | `{r.Schedule}` | {r.Checker} | {r.ToyFid.Format(2)} | {r.Diversity} | {r.InputDistance} |"
                : $"| `{r.Schedule}` | {r.Checker} | {r.ToyFid.Format(2)} | {r.Diversity} |");
    }

    private static string F(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
}
