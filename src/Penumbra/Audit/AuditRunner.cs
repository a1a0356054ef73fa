using System.Text;
using Penumbra.Imaging;

namespace Penumbra.Audit;

/// <summary>
/// The audit run engine: streams prompts, keeps those of its shard, forms (prompt, seed) work units, skips units
/// already committed (resume), scores the rest in batches and commits each batch in one transaction, after writing
/// its images atomically (temp + rename). Memory holds one batch, not the prompt set.
/// </summary>
public static class AuditRunner
{
    public static AuditRunSummary Run(AuditRunOptions options, IEnumerable<PromptRecord> prompts, IPromptScorer scorer,
        IProgress<AuditProgress>? progress = null, long? expectedUnits = null, CancellationToken cancellationToken = default)
    {
        if (options.Seeds.Count == 0) throw new ArgumentException("at least one seed is needed");
        if (options.Seeds.Distinct().Count() != options.Seeds.Count) throw new ArgumentException($"seeds repeat: {string.Join(",", options.Seeds)}");
        if (options.Images < 0) throw new ArgumentException($"--images {options.Images}: must be >= 0");
        if (options.BatchSize < 1) throw new ArgumentException($"--batch-size {options.BatchSize}: must be >= 1");

        var config = RunConfig.Build(options.PromptSettings, options.Seeds, options.Images, scorer);
        using var db = AuditDatabase.Open(options.DatabasePath, create: true, options.Journal);
        var stored = db.ReadConfig();
        if (stored.Count == 0) db.Initialize(config, new[] { options.Shard });
        else
        {
            if (!options.Resume)
                throw new InvalidOperationException($"{options.DatabasePath} already holds a run: pass --resume to continue it, or choose a new database file");
            var diffs = RunConfig.Differences(stored, config);
            if (diffs.Count > 0)
                throw new InvalidOperationException($"{options.DatabasePath}: cannot resume, the run config differs ({string.Join("; ", diffs)})");
            var shards = db.ReadShards();
            if (shards.Count != 1 || shards[0] != options.Shard)
                throw new InvalidOperationException($"{options.DatabasePath}: cannot resume shard {options.Shard}, the database holds shard(s) {string.Join(", ", shards)}");
        }

        string imageFolder = options.ImageFolder ?? db.Path + ".images";
        if (options.Images > 0) Directory.CreateDirectory(imageFolder);

        long units = 0, scored = 0, already = 0, rows = 0;
        var batch = new List<ScoringRequest>(options.BatchSize);
        foreach (var prompt in prompts)
        {
            if (!options.Shard.Contains(prompt.Id)) continue;
            foreach (var seed in options.Seeds)
            {
                units++;
                if (db.IsDone(prompt.Id, seed))
                {
                    already++;
                    progress?.Report(new AuditProgress(scored + already, already, expectedUnits));
                    continue;
                }
                batch.Add(new ScoringRequest(prompt, seed, options.Images));
                if (batch.Count == options.BatchSize)
                {
                    rows += Process(db, batch, scorer, imageFolder, cancellationToken);
                    scored += batch.Count;
                    batch.Clear();
                    progress?.Report(new AuditProgress(scored + already, already, expectedUnits));
                }
            }
        }
        if (batch.Count > 0)
        {
            rows += Process(db, batch, scorer, imageFolder, cancellationToken);
            scored += batch.Count;
            progress?.Report(new AuditProgress(scored + already, already, expectedUnits));
        }
        return new AuditRunSummary(units, scored, already, rows);
    }

    private static int Process(AuditDatabase db, List<ScoringRequest> batch, IPromptScorer scorer, string imageFolder, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var results = scorer.Score(batch, ct);
        if (results.Count != batch.Count)
            throw new InvalidOperationException($"the scorer returned {results.Count} results for a batch of {batch.Count}");
        ct.ThrowIfCancellationRequested();
        var prompts = new List<StoredPrompt>();
        var rows = new List<StoredResult>();
        for (int i = 0; i < batch.Count; i++)
        {
            var (prompt, seed, images) = batch[i];
            var result = results[i];
            if (result.Images.Count != images)
                throw new InvalidOperationException($"the scorer returned {result.Images.Count} images for prompt {prompt.Id} seed {seed}, {images} were asked for");
            prompts.Add(StoredPrompt.From(prompt));
            rows.Add(new StoredResult(prompt.Id, seed, StoredResult.PromptLevel, ScoreJson.Write(result.Scores), "{}", null, null));
            for (int k = 0; k < images; k++)
            {
                var image = result.Images[k];
                string? imagePath = Save(db, imageFolder, image.Image, FileStem(prompt.Id, seed, k) + ".png");
                string? mapPath = Save(db, imageFolder, image.UncertaintyMap, FileStem(prompt.Id, seed, k) + "_map.png");
                rows.Add(new StoredResult(prompt.Id, seed, k, ScoreJson.Write(image.Metrics), ScoreJson.Write(image.Attributes), imagePath, mapPath));
            }
        }
        db.WriteBatch(prompts, rows);
        return rows.Count;
    }

    private static string? Save(AuditDatabase db, string folder, RgbImage? image, string fileName)
    {
        if (image == null) return null;
        var path = Path.Combine(folder, fileName);
        image.Save(path); // PngCodec: temp + rename, so a kill leaves the old file or the new one, never half of one
        return Path.GetRelativePath(db.Folder, Path.GetFullPath(path));
    }

    /// <summary>A file-name stem for (prompt, seed, image): the id with unsafe characters replaced, plus 8 hex digits
    /// of its hash so that ids differing only in unsafe characters do not collide.</summary>
    public static string FileStem(string promptId, long seed, int imageIndex)
    {
        var safe = new StringBuilder();
        foreach (char c in promptId.Length > 60 ? promptId[..60] : promptId)
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        return $"{safe}-{ShardSpec.Fnv1a64(promptId) & 0xffffffff:x8}_s{seed}_i{imageIndex}";
    }
}
