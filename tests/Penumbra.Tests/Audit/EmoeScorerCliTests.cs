using Penumbra.Tests.Support;

namespace Penumbra.Tests.Audit;

/// <summary>`penumbra audit run --scorer emoe` refuses unusable settings before it creates a database.</summary>
public class EmoeScorerCliTests
{
    [Fact]
    public void ImagesOfALatentModelNeedAClipModel()
    {
        using var tmp = new TempFolder();
        var prompts = tmp.Write("p.txt", "a cat\n");
        var (code, _, stderr) = CliProcess.Run("audit", "run", "--db", tmp.File("a.db"), "--prompts", prompts, "--scorer", "emoe",
            "--model", Fixtures.Path("moe", "tiny-segmoe"), "--images", "2");
        Assert.Equal(1, code);
        Assert.Contains("needs --clip FOLDER", stderr);
        (code, _, stderr) = CliProcess.Run("audit", "run", "--db", tmp.File("b.db"), "--prompts", prompts, "--scorer", "emoe",
            "--model", Fixtures.Path("moe", "tiny-segmoe"), "--scorer-option", "stepz=3");
        Assert.Equal(1, code);
        Assert.Contains("--scorer-option stepz: unknown option of the emoe scorer", stderr);
        Assert.False(File.Exists(tmp.File("a.db")));
    }
}
