using Penumbra.Uncertainty;

namespace Penumbra.Reports;

/// <summary>Computes the report's statistics from an <see cref="AuditDataset"/> (all seeded, so a report is reproducible).</summary>
public static class AuditAnalysis
{
    public static AuditReport Analyze(AuditDataset data, AuditReportOptions options)
    {
        if (data.Prompts.Count == 0) throw new InvalidDataException($"{data.DatabasePath}: no results to report");
        string score = options.Score ?? (data.ScoreNames.Contains(UncertaintyScoreNames.Eu) ? UncertaintyScoreNames.Eu : data.ScoreNames.FirstOrDefault()
                       ?? throw new InvalidDataException($"{data.DatabasePath}: no prompt-level scores"));
        Require(data, score, "--score");
        string? declaredQuality = data.Config.GetValueOrDefault(QualityKey);
        string? quality = options.Quality
                          ?? new[] { declaredQuality, "clip_score", "quality" }.FirstOrDefault(m => m != null && (data.MetricNames.Contains(m) || data.ScoreNames.Contains(m)))
                          ?? data.MetricNames.FirstOrDefault();
        if (quality != null) Require(data, quality, "--quality");
        string? diversity = options.Diversity ?? (data.ScoreNames.Contains(DefaultDiversity) || data.MetricNames.Contains(DefaultDiversity) ? DefaultDiversity : null);
        if (diversity != null) Require(data, diversity, "--diversity");
        // A scorer that lists its uncertainty scores (scorer.uncertainty_scores) makes those the baselines; its other
        // prompt-level numbers (image aggregates such as clip_score_mean, ssim_pairwise) are not uncertainty scores.
        var declared = data.Config.TryGetValue(UncertaintyScoresKey, out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(data.ScoreNames.Contains).ToList()
            : null;
        var baselines = (options.Baselines ?? (declared ?? data.ScoreNames.ToList()).Where(s => s != score && s != quality && s != diversity).ToList()).ToList();
        foreach (var b in baselines) Require(data, b, "--baselines");
        var groupColumns = (options.GroupColumns ?? data.GroupColumns).ToList();
        foreach (var g in groupColumns)
            if (!data.GroupColumns.Contains(g)) throw new ArgumentException($"--group-columns: no group column '{g}' (have: {string.Join(", ", data.GroupColumns)})");
        var scores = new[] { score }.Concat(baselines).ToList();
        var prompts = data.Prompts;

        var correlations = scores.Select(s => Correlate(prompts, s, quality, options)).ToList();

        var quartiles = scores.Select(s =>
        {
            var withScore = prompts.Where(p => !double.IsNaN(p.Value(s))).ToList();
            var cols = new Dictionary<string, IReadOnlyList<double>>();
            if (quality != null) cols[quality] = withScore.Select(p => p.Value(quality)).ToList();
            if (diversity != null) cols[diversity] = withScore.Select(p => p.Value(diversity)).ToList();
            cols["words"] = withScore.Select(p => (double)p.Words).ToList();
            cols["characters"] = withScore.Select(p => (double)p.Characters).ToList();
            return QuartileTable.Compute(s, withScore.Select(p => p.Value(s)).ToList(), cols);
        }).ToList();

        var halting = quality == null ? new List<HaltingTable>() : scores.Select(s =>
            HaltingTable.Compute(s, prompts.Select(p => p.Value(s)).ToList(), prompts.Select(p => p.Value(quality)).ToList())).ToList();

        var groups = new List<GroupComparison>();
        foreach (var column in groupColumns)
            foreach (var value in scores.Concat(new[] { quality, diversity }.OfType<string>()))
            {
                var members = prompts.Where(p => p.Groups.ContainsKey(column) && !double.IsNaN(p.Value(value))).ToList();
                if (members.Count == 0) continue;
                groups.Add(GroupComparison.Compute(column, value, members.Select(p => p.Value(value)).ToList(),
                    members.Select(p => p.Groups[column]).ToList(), options.Resamples, options.Permutations, options.Seed));
            }

        var attributes = data.AttributeClasses.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => AttributeTableFor(prompts, a.Key, a.Value, groupColumns)).ToList();
        var attributesByQuartile = data.AttributeClasses.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => AttributeQuartilesFor(prompts, a.Key, a.Value, scores)).ToList();

        var ranked = prompts.Where(p => !double.IsNaN(p.Value(score))).OrderByDescending(p => p.Value(score)).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        int k = Math.Min(options.GridPrompts, ranked.Count / 2 + ranked.Count % 2);
        return new AuditReport(data, options, score, quality, baselines, groupColumns, correlations, quartiles, groups, attributes,
            ranked.Take(k).ToList(), Enumerable.Reverse(ranked).Take(Math.Min(k, ranked.Count - k)).ToList())
        {
            Diversity = diversity,
            AttributesByQuartile = attributesByQuartile,
            Halting = halting,
        };
    }

    /// <summary>Run-config key (a scorer setting) listing the scorer's uncertainty scores, comma-separated.</summary>
    public const string UncertaintyScoresKey = "scorer.uncertainty_scores";

    /// <summary>Run-config key (a scorer setting) naming the scorer's image quality metric.</summary>
    public const string QualityKey = "scorer.quality_metric";

    /// <summary>The diversity column used when present: mean pairwise SSIM of a prompt's images.</summary>
    public const string DefaultDiversity = "ssim_pairwise";

    /// <summary>Attribute proportions and fairness per quartile of each score (rows: column = the score, group = Q1..Q4).</summary>
    private static AttributeTable AttributeQuartilesFor(IReadOnlyList<PromptSummary> prompts, string attribute, IReadOnlyList<string> classes, IReadOnlyList<string> scores)
    {
        var rows = new List<AttributeRow>();
        foreach (var s in scores)
        {
            var withScore = prompts.Where(p => !double.IsNaN(p.Value(s))).ToList();
            var q = QuartileTable.Assign(withScore.Select(p => p.Value(s)).ToList());
            for (int k = 1; k <= 4; k++)
            {
                var members = withScore.Where((_, i) => q[i] == k).ToList();
                if (members.Count > 0) rows.Add(Row(s, $"Q{k}", members, attribute, classes));
            }
        }
        return new AttributeTable(attribute, classes, rows);
    }

    private static void Require(AuditDataset data, string name, string option)
    {
        if (!data.ScoreNames.Contains(name) && !data.MetricNames.Contains(name))
            throw new ArgumentException($"{option}: no score or metric '{name}' in {data.DatabasePath} (scores: {string.Join(", ", data.ScoreNames)}; image metrics: {string.Join(", ", data.MetricNames)})");
    }

    private static CorrelationRow Correlate(IReadOnlyList<PromptSummary> prompts, string score, string? quality, AuditReportOptions o)
    {
        var have = prompts.Where(p => !double.IsNaN(p.Value(score))).ToList();
        Interval vsQuality = Interval.None, givenWords = Interval.None;
        if (quality != null)
        {
            var pairs = have.Where(p => !double.IsNaN(p.Value(quality))).ToList();
            var scores = pairs.Select(p => p.Value(score)).ToList();
            var qualities = pairs.Select(p => p.Value(quality)).ToList();
            vsQuality = Bootstrap.Spearman(scores, qualities, o.Resamples, o.Seed);
            givenWords = Bootstrap.PartialSpearman(scores, qualities, pairs.Select(p => (double)p.Words).ToList(), o.Resamples, o.Seed);
        }
        var vsWords = Bootstrap.Spearman(have.Select(p => p.Value(score)).ToList(), have.Select(p => (double)p.Words).ToList(), o.Resamples, o.Seed);
        var labelled = have.Where(p => p.OutOfDistribution.HasValue).ToList();
        var s = labelled.Select(p => p.Value(score)).ToList();
        var l = labelled.Select(p => p.OutOfDistribution!.Value).ToList();
        return new CorrelationRow(score, have.Count, vsQuality, vsWords, givenWords, Separation.Auroc(s, l), Separation.AveragePrecision(s, l), labelled.Count);
    }

    private static AttributeTable AttributeTableFor(IReadOnlyList<PromptSummary> prompts, string attribute, IReadOnlyList<string> classes, IReadOnlyList<string> groupColumns)
    {
        var rows = new List<AttributeRow> { Row("all", "all", prompts, attribute, classes) };
        foreach (var column in groupColumns)
            foreach (var g in prompts.Where(p => p.Groups.ContainsKey(column)).GroupBy(p => p.Groups[column]).OrderBy(g => g.Key, StringComparer.Ordinal))
                rows.Add(Row(column, g.Key, g.ToList(), attribute, classes));
        return new AttributeTable(attribute, classes, rows);
    }

    private static AttributeRow Row(string column, string group, IReadOnlyList<PromptSummary> members, string attribute, IReadOnlyList<string> classes)
    {
        var counts = members.Select(p => p.AttributeCounts.GetValueOrDefault(attribute) ?? new Dictionary<string, int>()).ToList();
        var pooled = classes.ToDictionary(c => c, c => counts.Sum(x => x.GetValueOrDefault(c)));
        return new AttributeRow(column, group, members.Count, pooled.Values.Sum(), Fairness.Distribution(pooled, classes), Fairness.Score(counts, classes));
    }
}
