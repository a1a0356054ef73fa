using System.Net;
using System.Text;

namespace Penumbra.Reports;

/// <summary>Renders an <see cref="AuditReport"/> as one self-contained HTML file: inline CSS, plots and images as
/// base64 PNG data URIs, no scripts, no external requests.</summary>
public static class HtmlReport
{
    public static string Render(AuditReport r)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.Append($"<title>{E(r.Options.Title)}</title><style>{Css}</style></head><body><main>");
        h.Append($"<h1>{E(r.Options.Title)}</h1>");
        h.Append($"<p class=\"lead\">Primary score <b>{E(r.Score)}</b>; baselines {(r.Baselines.Count == 0 ? "none" : string.Join(", ", r.Baselines.Select(b => $"<b>{E(b)}</b>")))}; quality metric <b>{E(r.Quality ?? "none")}</b>.</p>");
        RunSummary(h, r);

        h.Append("<h2 id=\"scores\">Scores side by side</h2>");
        h.Append("<p class=\"note\">Spearman correlations with 95% bootstrap intervals. A useful uncertainty score correlates negatively with quality; a correlation with prompt length is a confound to keep in mind.</p>");
        var correlations = ReportFormat.CorrelationTable(r);
        Table(h, correlations.Header, correlations.Rows, firstBold: true);

        h.Append("<h2 id=\"quartiles\">Quartiles</h2>");
        var cols = new List<string> { "score", "quartile", "prompts", "score range" };
        if (r.Quality != null) cols.Add($"mean {r.Quality}");
        if (r.Diversity != null) cols.Add($"mean {r.Diversity}");
        cols.AddRange(new[] { "mean words", "mean characters" });
        if (r.Diversity != null)
            h.Append($"<p class=\"note\">{E(r.Diversity)}: {E(ReportFormat.DiversityDefinition)}</p>");
        Table(h, cols, r.Quartiles.SelectMany(t => t.Rows.Select(q =>
        {
            var row = new List<string> { q.Quartile == 1 ? t.Score : "", $"Q{q.Quartile}", q.Count.ToString(), $"{ReportFormat.Num(q.ScoreMin)} – {ReportFormat.Num(q.ScoreMax)}" };
            if (r.Quality != null) row.Add(ReportFormat.Num(q.Means[r.Quality], 4));
            if (r.Diversity != null) row.Add(ReportFormat.Num(q.Means[r.Diversity], 4));
            row.Add(ReportFormat.Num(q.Means["words"], 1));
            row.Add(ReportFormat.Num(q.Means["characters"], 1));
            return row.ToArray();
        })), firstBold: true, groupSize: 4);
        h.Append("<div class=\"plots\">");
        if (r.Quality != null) Plot(h, ReportPlots.QuartileBars(r.Quartiles, r.Quality), $"mean {r.Quality} per quartile");
        if (r.Diversity != null) Plot(h, ReportPlots.QuartileBars(r.Quartiles, r.Diversity), $"mean {r.Diversity} per quartile");
        Plot(h, ReportPlots.QuartileBars(r.Quartiles, "words"), "mean words per quartile");
        if (r.Quality != null) Plot(h, ReportPlots.ScoreVersusQuality(r.Data.Prompts, r.Score, r.Quality), $"{r.Score} vs {r.Quality}");
        h.Append("</div>");

        if (r.Halting.Count > 0)
        {
            h.Append("<h2 id=\"halting\">Halting on the score</h2>");
            h.Append($"<p class=\"note\">{E(ReportFormat.HaltingNote)}</p>");
            var halting = ReportFormat.HaltingTable(r);
            Table(h, halting.Header, halting.Rows, firstBold: true, groupSize: r.Halting.Max(t => t.Rows.Count));
            h.Append("<div class=\"plots\">");
            Plot(h, ReportPlots.HaltingCurves(r.Halting, r.Quality!), "halting curves");
            h.Append("</div>");
        }

        h.Append("<h2 id=\"groups\">Groups</h2>");
        if (r.GroupColumns.Count == 0) h.Append("<p class=\"note\">The prompt set has no group columns.</p>");
        foreach (var column in r.GroupColumns)
        {
            h.Append($"<h3>{E(column)}</h3><div class=\"plots\">");
            Plot(h, ReportPlots.HistogramByGroup(r.Data.Prompts, r.Score, column), $"{r.Score} histogram by {column}");
            h.Append("</div>");
            var comps = r.Groups.Where(g => g.Column == column).ToList();
            if (comps.Count == 0) continue;
            var names = comps.SelectMany(c => c.Groups.Select(g => g.Group)).Distinct().Order(StringComparer.Ordinal).ToList();
            var rows = names.Select(n => new[] { n, comps[0].Groups.FirstOrDefault(g => g.Group == n)?.Count.ToString() ?? "" }
                .Concat(comps.Select(c => c.Groups.FirstOrDefault(g => g.Group == n) is { } s ? ReportFormat.Ci(s.Mean) : "")).ToArray()).ToList();
            rows.Add(new[] { "permutation p", "" }.Concat(comps.Select(c => ReportFormat.PValue(c.Test))).ToArray());
            bool collapse = names.Count > LongTable;
            if (collapse)
            {
                h.Append($"<p class=\"note\">Permutation p across the {names.Count} groups: {E(string.Join("; ", comps.Select(c => $"{c.Value} {ReportFormat.PValue(c.Test)}")))}.</p>");
                h.Append($"<details><summary>Per-group means ({names.Count} groups)</summary>");
            }
            Table(h, new[] { column, "prompts" }.Concat(comps.Select(c => $"mean {c.Value}")), rows, lastIsFooter: true);
            if (collapse) h.Append("</details>");
        }

        h.Append("<h2 id=\"attributes\">Attributes and fairness</h2>");
        h.Append($"<p class=\"note\">Proportions pool the images of each group's prompts. {E(AuditReport.FairnessFormula)}.</p>");
        if (r.Attributes.Count == 0) h.Append("<p class=\"note\">No attributes were recorded (run with --images and an attribute classifier).</p>");
        foreach (var a in r.Attributes)
        {
            h.Append($"<h3>{E(a.Attribute)}</h3>");
            var header = new[] { "column", "group", "prompts", "images" }.Concat(a.Classes.Select(c => $"% {c}"))
                .Append($"fairness (max {ReportFormat.Num(Fairness.MaxDistance(Math.Max(1, a.Classes.Count)))})").ToArray();
            string[] Cells(AttributeRow x) => new[] { x.Column, x.Group, x.Prompts.ToString(), x.Images.ToString() }
                .Concat(x.Proportions.Select(ReportFormat.Percent)).Append(ReportFormat.Num(x.FairnessScore)).ToArray();
            var byColumn = a.Rows.GroupBy(x => x.Column).ToList();
            Table(h, header, byColumn.Where(g => g.Count() <= LongTable).SelectMany(g => g).Select(Cells), leftColumns: 2);
            foreach (var g in byColumn.Where(g => g.Count() > LongTable))
            {
                h.Append($"<details><summary>{E(a.Attribute)} by {E(g.Key)} ({g.Count()} groups)</summary>");
                Table(h, header, g.Select(Cells), leftColumns: 2);
                h.Append("</details>");
            }
        }

        foreach (var a in r.AttributesByQuartile.Where(a => a.Rows.Count > 0))
        {
            h.Append($"<h3>{E(a.Attribute)} by score quartile</h3>");
            h.Append($"<p class=\"note\">Prompts split into quartiles of {E(r.Score)} and of each baseline (Q1 = lowest); proportions pool each quartile's images, fairness as above.</p>");
            var header = new[] { "score", "quartile", "prompts", "images" }.Concat(a.Classes.Select(c => $"% {c}")).Append("fairness").ToArray();
            Table(h, header, a.Rows.Select((x, i) => new[] { i == 0 || a.Rows[i - 1].Column != x.Column ? x.Column : "", x.Group, x.Prompts.ToString(), x.Images.ToString() }
                .Concat(x.Proportions.Select(ReportFormat.Percent)).Append(ReportFormat.Num(x.FairnessScore)).ToArray()), firstBold: true, groupSize: 4, leftColumns: 2);
        }

        h.Append("<h2 id=\"grids\">Most and least uncertain prompts</h2>");
        Grid(h, $"Highest {r.Score}", r.MostUncertain, r.Score);
        Grid(h, $"Lowest {r.Score}", r.LeastUncertain, r.Score);

        h.Append("<h2 id=\"methods\">Methods</h2><dl>");
        foreach (var (term, def) in ReportFormat.Methods(r)) h.Append($"<dt>{E(term)}</dt><dd>{E(def)}</dd>");
        h.Append("</dl></main></body></html>\n");
        return h.ToString();
    }

    public static void Write(AuditReport r, string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, Render(r), new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Group tables with more rows than this are folded into a details element.</summary>
    public const int LongTable = 20;

    private static void RunSummary(StringBuilder h, AuditReport r)
    {
        var c = r.Data.Config;
        int shardCount = r.Data.Shards.Count == 0 ? 1 : r.Data.Shards[0].Count;
        var items = new List<(string, string)>
        {
            ("database", Path.GetFileName(r.Data.DatabasePath)),
            ("prompts", r.Data.Prompts.Count.ToString()),
            ("seeds", c.GetValueOrDefault("seeds", "?")),
            ("images per prompt and seed", c.GetValueOrDefault("images", "?")),
            ("result rows", r.Data.ResultRows.ToString()),
            ("shards", shardCount == 1 ? "1 (unsharded)" : $"{r.Data.Shards.Count} of {shardCount}{(r.Data.Shards.Count < shardCount ? " — incomplete" : "")}"),
            ("scorer", string.Join(", ", c.Where(p => p.Key.StartsWith("scorer.", StringComparison.Ordinal)).Select(p => $"{p.Key[7..]}={p.Value}"))),
            ("prompt source", string.Join(", ", c.Where(p => p.Key.StartsWith("prompts.", StringComparison.Ordinal)).Select(p => $"{p.Key[8..]}={Short(p.Value)}"))),
        };
        h.Append("<table class=\"summary\"><tbody>");
        foreach (var (k, v) in items) h.Append($"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>");
        h.Append("</tbody></table>");
    }

    private static string Short(string s) => s.Length > 16 && s.All(char.IsAsciiHexDigit) ? s[..12] + "…" : s;

    private static void Table(StringBuilder h, IEnumerable<string> header, IEnumerable<string[]> rows, bool firstBold = false, bool lastIsFooter = false, int groupSize = 0, int leftColumns = 1)
    {
        var list = rows.ToList();
        h.Append("<div class=\"table\"><table><thead><tr>");
        foreach (var c in header) h.Append($"<th>{E(c)}</th>");
        h.Append("</tr></thead><tbody>");
        for (int i = 0; i < list.Count; i++)
        {
            bool footer = lastIsFooter && i == list.Count - 1;
            string cls = footer ? " class=\"footer\"" : groupSize > 0 && i % groupSize == 0 && i > 0 ? " class=\"group-start\"" : "";
            h.Append($"<tr{cls}>");
            for (int j = 0; j < list[i].Length; j++)
                h.Append(j == 0 && (firstBold || footer) ? $"<th scope=\"row\">{E(list[i][j])}</th>"
                    : j < leftColumns ? $"<td class=\"l\">{E(list[i][j])}</td>" : $"<td>{E(list[i][j])}</td>");
            h.Append("</tr>");
        }
        h.Append("</tbody></table></div>");
    }

    private static void Plot(StringBuilder h, byte[] png, string alt) =>
        h.Append($"<figure><img alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"></figure>");

    private static void Grid(StringBuilder h, string title, IReadOnlyList<PromptSummary> prompts, string score)
    {
        h.Append($"<h3>{E(title)}</h3><div class=\"grid\">");
        if (prompts.Count == 0) h.Append("<p class=\"note\">No prompts.</p>");
        foreach (var p in prompts)
        {
            h.Append($"<div class=\"card\"><p class=\"prompt\">{E(p.Text)}</p><p class=\"meta\">{E(score)} = {ReportFormat.Num(p.Value(score))} · id {E(p.Id)}</p><div class=\"thumbs\">");
            if (p.Images.Count == 0) h.Append("<div class=\"slot\">no images</div>");
            foreach (var img in p.Images)
            {
                Thumb(h, img.ImagePath, $"seed {img.Seed} · image {img.Index}");
                if (img.MapPath != null) Thumb(h, img.MapPath, "its uncertainty map");
            }
            h.Append("</div></div>");
        }
        h.Append("</div>");
    }

    private static void Thumb(StringBuilder h, string? path, string alt)
    {
        if (path != null && File.Exists(path))
            h.Append($"<figure class=\"thumb\"><img alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}\"><figcaption>{E(alt)}</figcaption></figure>");
        else h.Append($"<div class=\"slot\">{E(alt)}: missing</div>");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        body{margin:0;background:#f6f7f9;color:#1d232b;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        main{max-width:1120px;margin:0 auto;padding:24px 28px 60px;background:#fff;box-shadow:0 0 0 1px #e3e6ea}
        h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:34px 0 8px;padding-bottom:4px;border-bottom:2px solid #e3e6ea}
        h3{font-size:16px;margin:22px 0 6px}.lead{color:#46505c;margin-top:0}.note{color:#5b6673;font-size:13.5px;margin:4px 0 10px}
        .table{overflow-x:auto;margin:8px 0 14px}table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums}
        th,td{padding:5px 10px;border-bottom:1px solid #e8ebee;text-align:right;white-space:nowrap}
        thead th{background:#eef1f4;text-align:right;font-weight:600;border-bottom:2px solid #d5dae0}
        th:first-child,td:first-child,tbody th{text-align:left}tbody th{font-weight:600}
        td.l{text-align:left}tbody tr:nth-child(even){background:#fafbfc}tr.group-start>*{border-top:2px solid #d5dae0}tr.footer>*{background:#f1f4f7;font-style:italic}
        table.summary th{background:none;text-align:left;color:#46505c;font-weight:600;border:none;padding:2px 16px 2px 0}
        table.summary td{text-align:left;border:none;padding:2px 0;white-space:normal;word-break:break-word}
        .plots{display:flex;flex-wrap:wrap;gap:14px}figure{margin:0}.plots img{width:540px;max-width:100%;border:1px solid #e3e6ea}
        figcaption{font-size:12.5px;color:#5b6673}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px}
        .card{border:1px solid #e3e6ea;border-radius:6px;padding:10px;background:#fcfcfd}.prompt{margin:0 0 4px;font-weight:600}
        .meta{margin:0 0 8px;color:#5b6673;font-size:12.5px}.thumbs{display:flex;flex-wrap:wrap;gap:6px}
        .thumb img{width:96px;height:96px;image-rendering:pixelated;border:1px solid #d5dae0}.thumb figcaption{width:96px;font-size:10.5px;line-height:1.2}
        .slot{width:96px;height:96px;display:flex;align-items:center;justify-content:center;text-align:center;font-size:11px;color:#8a949e;border:1px dashed #c8ced5}
        details{margin:6px 0 14px}summary{cursor:pointer;color:#2f5d8a;font-size:13.5px}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:13.5px}dt{font-weight:600}dd{margin:0}
        """;
}
