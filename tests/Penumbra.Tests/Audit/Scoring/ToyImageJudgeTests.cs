using Penumbra.Audit.Scoring;
using Penumbra.Toy;

namespace Penumbra.Tests.Audit.Scoring;

public class ToyImageJudgeTests
{
    [Fact]
    public void RenderedScenesScoreOneAndReportTheirColourAndShape()
    {
        using var judge = new ToyImageJudge();
        var scenes = new[]
        {
            new ToyScene(ToyShape.Square, ToyColor.Blue, ToyPosition.Left, ToySize.Big, ToyBackground.Black),
            new ToyScene(ToyShape.Circle, ToyColor.Red, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray),
        };
        var images = scenes.Select(s => ToyRenderer.Render(s, 32)).ToList();
        var j = judge.Judge("a big blue square on the left on a black background", images);
        Assert.Equal(1.0, j[0].Metrics[ToyImageJudge.Quality]);
        Assert.Equal(5.0, j[0].Metrics["stated"]);
        Assert.Equal(("blue", "square"), (j[0].Attributes["color"], j[0].Attributes["shape"]));
        // The red circle fails shape, colour, position and background of that prompt: only "big" holds.
        Assert.Equal(0.2, j[1].Metrics[ToyImageJudge.Quality], 12);
        Assert.Equal(("red", "circle"), (j[1].Attributes["color"], j[1].Attributes["shape"]));
        Assert.Equal(Enum.GetValues<ToyColor>().Length, judge.AttributeClasses["color"].Count);
        Assert.Contains("red", judge.AttributeClasses["color"]);
    }

    [Fact]
    public void AnEmptyImageHasNoAttributesAndNoForeground()
    {
        using var judge = new ToyImageJudge();
        var blank = new Penumbra.Imaging.RgbImage(16, 16, new byte[16 * 16 * 3]);
        var j = judge.Judge("a red circle", new[] { blank })[0];
        Assert.Equal(0.0, j.Metrics["foreground"]);
        Assert.Equal(0.0, j.Metrics[ToyImageJudge.Quality]);
        Assert.Empty(j.Attributes);
    }
}
