using Parquet;
using Parquet.Schema;
using Penumbra.Audit;

namespace Penumbra.Tests.Audit;

public class AuditRunnerTests
{
    private static readonly string[] Texts = Enumerable.Range(0, 12).Select(i => $"prompt number {i}").ToArray();
    private static readonly Dictionary<string, double> Eu = Texts.Select((t, i) => (t, i * 0.125)).ToDictionary(p => p.t, p => p.Item2);

    private static IEnumerable<PromptRecord> Prompts() => Texts.Select((t, i) =>
        PromptRecord.Create($"id{i}", t, new Dictionary<string, string> { ["half"] = i < 6 ? "low" : "high" }, i % 3 == 0));

    private static AuditRunOptions Options(string db, string shard = "0/1", bool resume = false, int images = 2) => new()
    {
        DatabasePath = db, Seeds = new long[] { 0, 5 }, Images = images, BatchSize = 5, Shard = ShardSpec.Parse(shard), Resume = resume,
        PromptSettings = new Dictionary<string, string> { ["set"] = "twelve" },
    };

    [Fact]
    public void RunWritesOneRowPerPromptSeedAndImage()
    {
        using var tmp = new TempFolder();
        var db = tmp.File("run.db");
        var scorer = new TableScorer(Eu);
        var s = AuditRunner.Run(Options(db), Prompts(), scorer);
        // 12 prompts x 2 seeds = 24 units in batches of 5 -> 5 scorer calls; rows = 24 x (1 prompt-level + 2 images) = 72.
        Assert.Equal((24L, 24L, 0L, 72L), (s.Units, s.Scored, s.AlreadyDone, s.RowsWritten));
        Assert.Equal(5, scorer.Calls);
        Assert.Equal(72, AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM results"));
        Assert.Equal(12, AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM prompts"));
        Assert.Equal(48, Directory.GetFiles(db + ".images", "*.png").Length);
        Assert.Empty(Directory.GetFiles(db + ".images", "*.tmp"));
        using var a = AuditDatabase.Open(db);
        var row = a.ReadResults().Single(r => r.PromptId == "id3" && r.Seed == 5 && r.ImageIndex == -1);
        Assert.Equal("{\"eu\":0.375,\"seed_echo\":5}", row.Scores);
        var img = a.ReadResults().Single(r => r.PromptId == "id3" && r.Seed == 5 && r.ImageIndex == 1);
        Assert.Equal(("{\"quality\":0.625}", "{\"gender\":\"woman\"}"), (img.Scores, img.Attributes));
        Assert.True(File.Exists(Path.Combine(tmp.Path, img.ImagePath!)));
    }

    [Fact]
    public void ResumeSkipsDoneWorkAndRefusesAnotherConfig()
    {
        using var tmp = new TempFolder();
        var db = tmp.File("run.db");
        // First run sees only the first 7 prompts (as if killed), the resume sees all 12.
        AuditRunner.Run(Options(db), Prompts().Take(7), new TableScorer(Eu));
        Assert.Contains("--resume", Assert.Throws<InvalidOperationException>(() => AuditRunner.Run(Options(db), Prompts(), new TableScorer(Eu))).Message);
        var scorer = new TableScorer(Eu);
        var s = AuditRunner.Run(Options(db, resume: true), Prompts(), scorer);
        Assert.Equal((24L, 10L, 14L), (s.Units, s.Scored, s.AlreadyDone));
        var again = AuditRunner.Run(Options(db, resume: true), Prompts(), new TableScorer(Eu));
        Assert.Equal(0, again.Scored);
        var e = Assert.Throws<InvalidOperationException>(() => AuditRunner.Run(Options(db, resume: true), Prompts(), new TableScorer(Eu, version: "2")));
        Assert.Contains("scorer.version: '1' vs '2'", e.Message);
        Assert.Contains("shard", Assert.Throws<InvalidOperationException>(() => AuditRunner.Run(Options(db, "1/2", resume: true), Prompts(), new TableScorer(Eu))).Message);

        using var fresh = new TempFolder();
        var whole = fresh.File("run.db");
        AuditRunner.Run(Options(whole), Prompts(), new TableScorer(Eu));
        Assert.Equal(AuditDbSnapshot.Rows(whole, "results"), AuditDbSnapshot.Rows(db, "results"));
    }

    [Fact]
    public void ShardsMergeIntoTheUnshardedRun()
    {
        using var tmp = new TempFolder();
        var whole = tmp.File("whole/run.db");
        AuditRunner.Run(Options(whole), Prompts(), new TableScorer(Eu));
        var shards = Enumerable.Range(0, 3).Select(k =>
        {
            var path = tmp.File($"shard{k}/run.db");
            AuditRunner.Run(Options(path, $"{k}/3"), Prompts(), new TableScorer(Eu));
            return path;
        }).ToList();
        Assert.Equal(72, shards.Sum(s => AuditDbSnapshot.Count(s, "SELECT COUNT(*) FROM results")));
        var merged = tmp.File("merged/all.db");
        var summary = AuditMerge.Merge(shards, merged);
        Assert.Equal((12L, 72L, 3), (summary.Prompts, summary.Results, summary.ShardCount));
        Assert.Empty(summary.MissingShards);
        // Same rows as the unsharded run, except that image paths now point from merged/ into each shard's folder.
        string Strip(string row) => string.Join("\u241f", row.Split('\u241f').Take(5));
        Assert.Equal(AuditDbSnapshot.Rows(whole, "results").Select(Strip), AuditDbSnapshot.Rows(merged, "results").Select(Strip));
        Assert.Equal(AuditDbSnapshot.Rows(whole, "prompts"), AuditDbSnapshot.Rows(merged, "prompts"));
        using (var m = AuditDatabase.Open(merged))
            Assert.All(m.ReadResults().Where(r => r.ImagePath != null), r =>
            {
                Assert.StartsWith("../shard", r.ImagePath);
                Assert.True(File.Exists(Path.Combine(tmp.Path, "merged", r.ImagePath!)));
            });

        Assert.Contains("appears in both", Assert.Throws<InvalidOperationException>(() => AuditMerge.Merge(new[] { shards[0], shards[0] }, tmp.File("dup.db"))).Message);
        var other = tmp.File("other/run.db");
        AuditRunner.Run(Options(other, "1/3", images: 1), Prompts(), new TableScorer(Eu));
        var e = Assert.Throws<InvalidOperationException>(() => AuditMerge.Merge(new[] { shards[0], other }, tmp.File("mixed.db")));
        Assert.Contains("images: '2' vs '1'", e.Message);
        Assert.False(File.Exists(tmp.File("mixed.db")));
        Assert.Throws<InvalidOperationException>(() => AuditMerge.Merge(shards, merged));
        var partial = AuditMerge.Merge(shards.Take(2).ToList(), tmp.File("partial.db"));
        Assert.Equal(new[] { 2 }, partial.MissingShards);
    }

    [Fact]
    public void JournalModeIsWalUnlessDeleteIsAskedFor()
    {
        using var tmp = new TempFolder();
        AuditRunner.Run(Options(tmp.File("wal.db")), Prompts().Take(2), new TableScorer(Eu));
        AuditRunner.Run(Options(tmp.File("nfs.db")) with { Journal = AuditJournal.Delete }, Prompts().Take(2), new TableScorer(Eu));
        string Mode(string db)
        {
            using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode";
            return (string)cmd.ExecuteScalar()!;
        }
        Assert.Equal(("wal", "delete"), (Mode(tmp.File("wal.db")), Mode(tmp.File("nfs.db"))));
    }

    [Fact]
    public async Task ExportsCsvAndParquet()
    {
        using var tmp = new TempFolder();
        var db = tmp.File("run.db");
        AuditRunner.Run(Options(db, images: 1), Prompts().Take(3), new TableScorer(Eu));
        var csv = tmp.File("out.csv");
        Assert.Equal(12, AuditExport.ToCsv(db, csv));
        var lines = File.ReadAllLines(csv);
        Assert.Equal("prompt_id,seed,image_index,prompt,label,group_half,eu,quality,seed_echo,attr_gender,image_path,map_path", lines[0]);
        // id1 = "prompt number 1" (eu 0.125, in distribution); its seed-5 prompt-level row, then its image row.
        Assert.Contains("id1,5,-1,prompt number 1,in,low,0.125,,5,,,", lines);
        Assert.Contains(lines, l => l.StartsWith("id1,5,0,prompt number 1,in,low,,0.875,,man,run.db.images/", StringComparison.Ordinal));

        var parquet = tmp.File("out.parquet");
        Assert.Equal(12, await AuditExport.ToParquetAsync(db, parquet));
        await using var reader = await ParquetReader.CreateAsync(parquet);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(lines[0].Split(','), fields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(12, group.RowCount);
        var ids = new string?[12];
        await group.ReadAsync(fields[0], ids.AsMemory());
        var eu = new double?[12];
        await group.ReadAsync<double>(fields.First(f => f.Name == "eu"), eu.AsMemory());
        Assert.Equal("id0", ids[0]);
        Assert.Equal(new double?[] { 0, null, 0, null, 0.125, null, 0.125, null, 0.25, null, 0.25, null }, eu);
    }
}
