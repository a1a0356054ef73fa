using System.Text;

namespace Penumbra.Reports;

/// <summary>Renders an <see cref="AuditReport"/> as Markdown; plots are written as PNG files into a folder beside it
/// ("&lt;name&gt;_files") and linked relatively, grid images are linked by path relative to the Markdown file.</summary>
public static class MarkdownReport
{
    public static void Write(AuditReport r, string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string filesName = Path.GetFileNameWithoutExtension(path) + "_files";
        string files = Path.Combine(dir, filesName);
        Directory.CreateDirectory(files);
        string PlotLink(string name, byte[] png, string alt)
        {
            File.WriteAllBytes(Path.Combine(files, name), png);
            return $"![{alt}]({filesName}/{name})";
        }

        var m = new StringBuilder();
        m.AppendLine($"# {r.Options.Title}").AppendLine();
        m.AppendLine($"Primary score **{r.Score}**; baselines {(r.Baselines.Count == 0 ? "none" : string.Join(", ", r.Baselines.Select(b => $"**{b}**")))}; quality metric **{r.Quality ?? "none"}**. "
                     + $"{r.Data.Prompts.Count} prompts, seeds {r.Data.Config.GetValueOrDefault("seeds", "?")}, {r.Data.Config.GetValueOrDefault("images", "?")} images per prompt and seed, {r.Data.ResultRows} result rows.").AppendLine();

        m.AppendLine("## Scores side by side").AppendLine();
        var correlations = ReportFormat.CorrelationTable(r);
        Table(m, correlations.Header, correlations.Rows);

        m.AppendLine("## Quartiles").AppendLine();
        var cols = new List<string> { "score", "quartile", "prompts", "score range" };
        if (r.Quality != null) cols.Add($"mean {r.Quality}");
        if (r.Diversity != null) cols.Add($"mean {r.Diversity}");
        cols.AddRange(new[] { "mean words", "mean characters" });
        if (r.Diversity != null) m.AppendLine($"{r.Diversity}: {ReportFormat.DiversityDefinition}").AppendLine();
        Table(m, cols, r.Quartiles.SelectMany(t => t.Rows.Select(q =>
        {
            var row = new List<string> { t.Score, $"Q{q.Quartile}", q.Count.ToString(), $"{ReportFormat.Num(q.ScoreMin)} – {ReportFormat.Num(q.ScoreMax)}" };
            if (r.Quality != null) row.Add(ReportFormat.Num(q.Means[r.Quality], 4));
            if (r.Diversity != null) row.Add(ReportFormat.Num(q.Means[r.Diversity], 4));
            row.Add(ReportFormat.Num(q.Means["words"], 1));
            row.Add(ReportFormat.Num(q.Means["characters"], 1));
            return row.ToArray();
        })));
        if (r.Quality != null)
        {
            m.AppendLine(PlotLink("quartiles_quality.png", ReportPlots.QuartileBars(r.Quartiles, r.Quality), $"mean {r.Quality} per quartile")).AppendLine();
            m.AppendLine(PlotLink("score_vs_quality.png", ReportPlots.ScoreVersusQuality(r.Data.Prompts, r.Score, r.Quality), $"{r.Score} vs {r.Quality}")).AppendLine();
        }
        if (r.Diversity != null)
            m.AppendLine(PlotLink("quartiles_diversity.png", ReportPlots.QuartileBars(r.Quartiles, r.Diversity), $"mean {r.Diversity} per quartile")).AppendLine();
        m.AppendLine(PlotLink("quartiles_words.png", ReportPlots.QuartileBars(r.Quartiles, "words"), "mean words per quartile")).AppendLine();

        if (r.Halting.Count > 0)
        {
            m.AppendLine("## Halting on the score").AppendLine();
            m.AppendLine(ReportFormat.HaltingNote).AppendLine();
            var halting = ReportFormat.HaltingTable(r);
            Table(m, halting.Header, halting.Rows);
            m.AppendLine(PlotLink("halting.png", ReportPlots.HaltingCurves(r.Halting, r.Quality!), "halting curves")).AppendLine();
        }

        m.AppendLine("## Groups").AppendLine();
        foreach (var column in r.GroupColumns)
        {
            m.AppendLine($"### {column}").AppendLine();
            m.AppendLine(PlotLink($"hist_{Safe(column)}.png", ReportPlots.HistogramByGroup(r.Data.Prompts, r.Score, column), $"{r.Score} by {column}")).AppendLine();
            var comps = r.Groups.Where(g => g.Column == column).ToList();
            if (comps.Count == 0) continue;
            var names = comps.SelectMany(c => c.Groups.Select(g => g.Group)).Distinct().Order(StringComparer.Ordinal).ToList();
            var rows = names.Select(n => new[] { n, comps[0].Groups.FirstOrDefault(g => g.Group == n)?.Count.ToString() ?? "" }
                .Concat(comps.Select(c => c.Groups.FirstOrDefault(g => g.Group == n) is { } s ? ReportFormat.Ci(s.Mean) : "")).ToArray()).ToList();
            rows.Add(new[] { "*permutation p*", "" }.Concat(comps.Select(c => ReportFormat.PValue(c.Test))).ToArray());
            Table(m, new[] { column, "prompts" }.Concat(comps.Select(c => $"mean {c.Value}")), rows);
        }

        m.AppendLine("## Attributes and fairness").AppendLine();
        m.AppendLine(AuditReport.FairnessFormula + ".").AppendLine();
        foreach (var a in r.Attributes)
        {
            m.AppendLine($"### {a.Attribute}").AppendLine();
            Table(m, new[] { "column", "group", "prompts", "images" }.Concat(a.Classes.Select(c => $"% {c}")).Append("fairness"),
                a.Rows.Select(x => new[] { x.Column, x.Group, x.Prompts.ToString(), x.Images.ToString() }
                    .Concat(x.Proportions.Select(ReportFormat.Percent)).Append(ReportFormat.Num(x.FairnessScore)).ToArray()));
        }

        foreach (var a in r.AttributesByQuartile.Where(a => a.Rows.Count > 0))
        {
            m.AppendLine($"### {a.Attribute} by score quartile").AppendLine();
            Table(m, new[] { "score", "quartile", "prompts", "images" }.Concat(a.Classes.Select(c => $"% {c}")).Append("fairness"),
                a.Rows.Select(x => new[] { x.Column, x.Group, x.Prompts.ToString(), x.Images.ToString() }
                    .Concat(x.Proportions.Select(ReportFormat.Percent)).Append(ReportFormat.Num(x.FairnessScore)).ToArray()));
        }

        m.AppendLine("## Most and least uncertain prompts").AppendLine();
        foreach (var (title, list) in new[] { ($"Highest {r.Score}", r.MostUncertain), ($"Lowest {r.Score}", r.LeastUncertain) })
        {
            m.AppendLine($"### {title}").AppendLine();
            foreach (var p in list)
            {
                m.Append($"- {Cell(p.Text)} ({r.Score} = {ReportFormat.Num(p.Value(r.Score))})");
                foreach (var img in p.Images)
                {
                    if (img.ImagePath != null) m.Append($" ![seed {img.Seed} image {img.Index}]({Rel(dir, img.ImagePath)})");
                    if (img.MapPath != null) m.Append($" ![map]({Rel(dir, img.MapPath)})");
                }
                m.AppendLine();
            }
            m.AppendLine();
        }

        m.AppendLine("## Methods").AppendLine();
        foreach (var (term, def) in ReportFormat.Methods(r)) m.AppendLine($"- **{term}**: {def}");
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, m.ToString(), new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    private static string Rel(string dir, string path) => Path.GetRelativePath(dir, path).Replace('\\', '/').Replace(" ", "%20");

    private static string Safe(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    private static void Table(StringBuilder m, IEnumerable<string> header, IEnumerable<string[]> rows)
    {
        var h = header.ToList();
        m.AppendLine("| " + string.Join(" | ", h.Select(Cell)) + " |");
        m.AppendLine("|" + string.Join("|", h.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        foreach (var row in rows) m.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        m.AppendLine();
    }
}
