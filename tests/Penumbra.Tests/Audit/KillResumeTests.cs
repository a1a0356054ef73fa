using Xunit.Abstractions;

namespace Penumbra.Tests.Audit;

/// <summary>
/// `penumbra audit run` killed with SIGKILL at random points (chosen as a number of committed work units, so every
/// kill lands mid-run), resumed each time, must end with exactly the database and images of an uninterrupted run.
/// </summary>
public class KillResumeTests(ITestOutputHelper output)
{
    // 2 genders x 20 DebiasVL test occupations = 40 prompts x 3 seeds = 120 work units, 1 image each.
    private const int Units = 120;

    private static string[] RunArgs(string db) => new[]
    {
        "audit", "run", "--db", db, "--template", "a photo of a {gender} {occupation-test}", "--scorer", "fake",
        "--scorer-option", "delay_ms=6", "--seeds", "0,1,2", "--images", "1", "--batch-size", "4", "--resume",
    };

    [Fact]
    public void KilledRunsResumeToTheUninterruptedDatabase()
    {
        using var tmp = new TempFolder();
        var reference = tmp.File("reference/run.db");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        var (code, stdout, stderr) = CliProcess.Run(RunArgs(reference));
        Assert.True(code == 0, stderr);
        Assert.Contains($"{Units} work units, {Units} scored now", stdout);

        var db = tmp.File("killed/run.db");
        Directory.CreateDirectory(Path.GetDirectoryName(db)!);
        var rng = new Random(20261123);
        int kills = 0;
        for (int attempt = 0; attempt < 12 && kills < 6; attempt++)
        {
            long before = Done(db);
            if (before >= Units - 24) break;
            // Kill once a random number of further units is committed, leaving at least 5 batches of margin.
            long target = Math.Min(Units - 24, before + rng.Next(2, 18));
            using var child = new CliProcess(RunArgs(db));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!child.Process.HasExited && Done(db) < target && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Thread.Sleep(rng.Next(0, 30)); // a random phase of the next batch: scoring, image writes or the commit
            bool killed = !child.Process.HasExited;
            child.KillHard();
            long after = Done(db);
            output.WriteLine($"run {attempt + 1}: target {target} units, {(killed ? "killed (SIGKILL)" : "exited first")} with {after} of {Units} committed");
            if (killed && after < Units) kills++;
        }
        Assert.True(kills >= 3, $"only {kills} kills landed mid-run");

        (code, stdout, stderr) = CliProcess.Run(RunArgs(db));
        Assert.True(code == 0, stderr);
        output.WriteLine("final resume: " + stdout.Trim());
        Assert.Contains("already done", stdout);

        foreach (var table in new[] { "run_config", "shards", "prompts", "results" })
            Assert.Equal(AuditDbSnapshot.Rows(reference, table), AuditDbSnapshot.Rows(db, table));
        Assert.Equal(Units * 2, AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM results"));
        var refImages = Directory.GetFiles(reference + ".images").Select(Path.GetFileName).Order().ToList();
        var images = Directory.GetFiles(db + ".images").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(refImages, images); // also: no *.tmp left behind
        Assert.Equal(Units * 2, images.Count);
        Assert.All(images, f => Assert.Equal(File.ReadAllBytes(Path.Combine(reference + ".images", f!)), File.ReadAllBytes(Path.Combine(db + ".images", f!))));
    }

    [Fact]
    public void MalformedPromptSetsAreReportedByLine()
    {
        using var tmp = new TempFolder();
        var prompts = tmp.Write("p.csv", "prompt,language\na cat,en\n,fi\na dog,en,extra\na bird,fi\n");
        var fail = CliProcess.Run("audit", "run", "--db", tmp.File("fail.db"), "--prompts", prompts, "--scorer", "fake");
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains($"error: {prompts}:3: empty prompt", fail.Stderr);
        Assert.False(File.Exists(tmp.File("fail.db")));

        var skip = CliProcess.Run("audit", "run", "--db", tmp.File("skip.db"), "--prompts", prompts, "--scorer", "fake", "--on-bad-row", "skip");
        Assert.True(skip.ExitCode == 0, skip.Stderr);
        Assert.Contains($"bad row: {prompts}:3: empty prompt", skip.Stderr);
        Assert.Contains($"bad row: {prompts}:4: the field count differs", skip.Stderr);
        Assert.Contains("2 bad row(s) skipped", skip.Stderr);
        Assert.Equal(2, AuditDbSnapshot.Count(tmp.File("skip.db"), "SELECT COUNT(*) FROM prompts"));

        var unknown = CliProcess.Run("audit", "run", "--db", tmp.File("u.db"), "--prompts", prompts, "--scorer", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("--scorer 'nope': unknown scorer", unknown.Stderr);
    }

    internal static long Done(string db)
    {
        if (!File.Exists(db)) return 0;
        try { return AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM results WHERE image_index = -1"); }
        catch (Microsoft.Data.Sqlite.SqliteException) { return 0; } // created but schema not yet committed
    }
}
