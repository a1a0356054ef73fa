using Penumbra.Tests.Support;
using Xunit.Abstractions;

namespace Penumbra.Tests.Audit;

/// <summary>
/// The real scorer with images: `penumbra audit run --scorer emoe --images 2 --clip` on moe/tiny-segmoe + tiny-clip,
/// killed with SIGKILL at random points, resumed each time, must end with exactly the database (EMoE scores, CLIP
/// scores, attributes, SSIM) and image files of an uninterrupted run. Slow: every restart loads libtorch and both models.
/// </summary>
[Trait("Category", "Slow")]
public class KillResumeImagesTests(ITestOutputHelper output)
{
    private const int Prompts = 10, Seeds = 2, Images = 2, Units = Prompts * Seeds;

    private static string[] RunArgs(string db, string prompts) => new[]
    {
        "audit", "run", "--db", db, "--prompts", prompts, "--scorer", "emoe", "--model", Fixtures.Path("moe", "tiny-segmoe"),
        "--clip", Fixtures.Path("tiny-clip"), "--images", Images.ToString(), "--scorer-option", "steps=4",
        "--seeds", "0,1", "--batch-size", "2", "--resume",
    };

    [Fact]
    public void KilledImageRunsResumeToTheUninterruptedDatabase()
    {
        using var tmp = new TempFolder();
        var prompts = tmp.Write("prompts.csv", "prompt,group\n" + string.Join("\n", Enumerable.Range(0, Prompts).Select(i =>
            $"a photo of a {(i % 2 == 0 ? "nurse" : "pilot")} number {i},{(i % 2 == 0 ? "a" : "b")}")) + "\n");
        var reference = tmp.File("reference/run.db");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        var (code, stdout, stderr) = CliProcess.Run(RunArgs(reference, prompts));
        Assert.True(code == 0, stderr);
        Assert.Contains($"{Units} work units, {Units} scored now", stdout);

        var db = tmp.File("killed/run.db");
        Directory.CreateDirectory(Path.GetDirectoryName(db)!);
        var rng = new Random(20261124);
        int kills = 0;
        for (int attempt = 0; attempt < 10 && kills < 4; attempt++)
        {
            long before = KillResumeTests.Done(db);
            if (before >= Units - 4) break;
            long target = Math.Min(Units - 4, before + 2 * rng.Next(1, 4));
            using var child = new CliProcess(RunArgs(db, prompts));
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!child.Process.HasExited && KillResumeTests.Done(db) < target && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Thread.Sleep(rng.Next(0, 400)); // a random phase of the next batch: EMoE, sampling, judging, image writes or the commit
            bool killed = !child.Process.HasExited;
            child.KillHard();
            long after = KillResumeTests.Done(db);
            output.WriteLine($"run {attempt + 1}: target {target} units, {(killed ? "killed (SIGKILL)" : "exited first")} with {after} of {Units} committed");
            if (killed && after < Units) kills++;
        }
        Assert.True(kills >= 2, $"only {kills} kills landed mid-run");

        (code, stdout, stderr) = CliProcess.Run(RunArgs(db, prompts));
        Assert.True(code == 0, stderr);
        output.WriteLine("final resume: " + stdout.Trim());

        foreach (var table in new[] { "run_config", "shards", "prompts", "results" })
            Assert.Equal(AuditDbSnapshot.Rows(reference, table), AuditDbSnapshot.Rows(db, table));
        Assert.Equal(Units * (Images + 1), AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM results"));
        Assert.Equal(Units, AuditDbSnapshot.Count(db, "SELECT COUNT(*) FROM results WHERE scores LIKE '%\"ssim_pairwise\"%' AND scores LIKE '%\"clip_score_mean\"%'"));
        var refImages = Directory.GetFiles(reference + ".images").Select(Path.GetFileName).Order().ToList();
        var images = Directory.GetFiles(db + ".images").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(refImages, images); // no *.tmp left behind
        Assert.Equal(Units * (Images + 1), images.Count); // N images + the first image's uncertainty map per unit
        Assert.All(images, f => Assert.Equal(File.ReadAllBytes(Path.Combine(reference + ".images", f!)), File.ReadAllBytes(Path.Combine(db + ".images", f!))));
    }
}
