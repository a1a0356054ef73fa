using Penumbra.Audit;

namespace Penumbra.Reports;

/// <summary>An audit database summarised per prompt (see <see cref="PromptSummary"/>), with its run config.</summary>
public sealed class AuditDataset
{
    public required string DatabasePath { get; init; }
    public required IReadOnlyDictionary<string, string> Config { get; init; }
    public required IReadOnlyList<ShardSpec> Shards { get; init; }
    public required IReadOnlyList<PromptSummary> Prompts { get; init; }
    public required IReadOnlyList<string> ScoreNames { get; init; }
    public required IReadOnlyList<string> MetricNames { get; init; }
    public required IReadOnlyList<string> GroupColumns { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; init; }
    public long ResultRows { get; init; }

    public static AuditDataset Load(string databasePath, int maxImagesPerPrompt = 4)
    {
        using var db = AuditDatabase.Open(databasePath);
        var config = db.ReadConfig();
        var prompts = db.ReadPrompts().ToDictionary(p => p.PromptId, p => p.ToRecord());
        var acc = new Dictionary<string, Accumulator>();
        long rows = 0;
        foreach (var r in db.ReadResults())
        {
            rows++;
            if (!acc.TryGetValue(r.PromptId, out var a)) acc[r.PromptId] = a = new Accumulator();
            var values = ScoreJson.ReadDoubles(r.Scores);
            if (r.ImageIndex == StoredResult.PromptLevel) a.Add(a.Scores, values);
            else
            {
                a.Add(a.Metrics, values);
                foreach (var (attr, cls) in ScoreJson.ReadStrings(r.Attributes))
                {
                    if (!a.Attributes.TryGetValue(attr, out var counts)) a.Attributes[attr] = counts = new Dictionary<string, int>();
                    counts[cls] = counts.GetValueOrDefault(cls) + 1;
                }
                if (a.Images.Count < maxImagesPerPrompt && (r.ImagePath != null || r.MapPath != null))
                    a.Images.Add(new ImageRef(r.Seed, r.ImageIndex, Absolute(db, r.ImagePath), Absolute(db, r.MapPath)));
            }
        }
        var summaries = acc.OrderBy(p => p.Key, StringComparer.Ordinal).Where(p => prompts.ContainsKey(p.Key)).Select(p =>
        {
            var rec = prompts[p.Key];
            return new PromptSummary(rec.Id, rec.Text, rec.Groups, rec.OutOfDistribution, p.Value.Means(p.Value.Scores), p.Value.Means(p.Value.Metrics),
                p.Value.Attributes.ToDictionary(x => x.Key, x => (IReadOnlyDictionary<string, int>)x.Value), p.Value.Images);
        }).ToList();
        var classes = RunConfig.AttributeClasses(config);
        foreach (var attr in summaries.SelectMany(s => s.AttributeCounts.Keys).Distinct().Where(a => !classes.ContainsKey(a)))
            classes[attr] = summaries.SelectMany(s => s.AttributeCounts.GetValueOrDefault(attr)?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal).ToList();
        return new AuditDataset
        {
            DatabasePath = databasePath,
            Config = config,
            Shards = db.ReadShards(),
            Prompts = summaries,
            ScoreNames = summaries.SelectMany(s => s.Scores.Keys).Distinct().Order(StringComparer.Ordinal).ToList(),
            MetricNames = summaries.SelectMany(s => s.ImageMetrics.Keys).Distinct().Order(StringComparer.Ordinal).ToList(),
            GroupColumns = summaries.SelectMany(s => s.Groups.Keys).Distinct().Order(StringComparer.Ordinal).ToList(),
            AttributeClasses = classes,
            ResultRows = rows,
        };
    }

    private static string? Absolute(AuditDatabase db, string? path) => path == null ? null : Path.GetFullPath(Path.Combine(db.Folder, path));

    private sealed class Accumulator
    {
        public readonly Dictionary<string, (double Sum, int Count)> Scores = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (double Sum, int Count)> Metrics = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Dictionary<string, int>> Attributes = new(StringComparer.Ordinal);
        public readonly List<ImageRef> Images = new();

        public void Add(Dictionary<string, (double Sum, int Count)> target, Dictionary<string, double> values)
        {
            foreach (var (k, v) in values)
            {
                if (double.IsNaN(v)) continue;
                var (s, c) = target.GetValueOrDefault(k);
                target[k] = (s + v, c + 1);
            }
        }

        public Dictionary<string, double> Means(Dictionary<string, (double Sum, int Count)> source) =>
            source.ToDictionary(p => p.Key, p => p.Value.Sum / p.Value.Count, StringComparer.Ordinal);
    }
}
