using Penumbra.Imaging;
using Penumbra.Toy;
using TorchSharp;
using Xunit.Abstractions;

namespace Penumbra.Tests.Toy;

public class ToyCheckerTests(ITestOutputHelper output)
{
    /// <summary>Per-attribute accuracy of the checker's detection over rendered scenes, optionally degraded.</summary>
    internal static Dictionary<string, double> Accuracy(ToyChecker checker, IReadOnlyList<ToyScene> scenes, Func<RgbImage, RgbImage> degrade)
    {
        var hits = new Dictionary<string, int> { ["shape"] = 0, ["color"] = 0, ["position"] = 0, ["size"] = 0, ["background"] = 0 };
        foreach (var scene in scenes)
        {
            var d = checker.Detect(degrade(ToyRenderer.Render(scene)));
            if (d.Found && d.Shape == scene.Shape) hits["shape"]++;
            if (d.Found && d.Color == scene.Color) hits["color"]++;
            if (d.Found && d.Position == scene.Position) hits["position"]++;
            if (d.Found && d.Size == scene.Size) hits["size"]++;
            if (d.Background == scene.Background) hits["background"]++;
        }
        return hits.ToDictionary(kv => kv.Key, kv => (double)kv.Value / scenes.Count);
    }

    /// <summary>Blur of blurSigma pixels, then Gaussian noise of standard deviation sigma (in the [-1,1] scale).</summary>
    internal static Func<RgbImage, RgbImage> Degrade(double sigma, double blurSigma, int seed)
    {
        var gen = new torch.Generator((ulong)seed);
        return image =>
        {
            using var scope = torch.NewDisposeScope();
            var x = ToyDegradation.Degrade(image.ToTensorMinus1To1().unsqueeze(0), sigma, blurSigma, gen);
            return ToyImages.FromTensor(x.squeeze(0));
        };
    }

    private static IReadOnlyList<ToyScene> Scenes(int count, int seed) =>
        new ToyDataset(new ToyDatasetOptions(), seed).Take(count).Select(s => s.Scene).ToList();

    /// <summary>
    /// Per-attribute detection accuracy on rendered scenes of the default dataset (all attributes, jitter): clean, with
    /// Gaussian noise of σ 0.2 in the [-1,1] scale, and blurred (σ 0.8 px) plus noise 0.1, like a soft generated sample.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.0, 1.0)]
    [InlineData(0.2, 0.0, 0.98)]
    [InlineData(0.1, 0.8, 0.97)]
    public void DetectsEveryAttributeOfRenderedScenes(double sigma, double blur, double minAccuracy)
    {
        var acc = Accuracy(new ToyChecker(), Scenes(250, 3), Degrade(sigma, blur, 4));
        output.WriteLine($"noise {sigma} blur {blur}: " + string.Join(", ", acc.Select(kv => $"{kv.Key} {kv.Value:F3}")));
        Assert.All(acc, kv => Assert.True(kv.Value >= minAccuracy, $"{kv.Key} accuracy {kv.Value:F3} < {minAccuracy}"));
    }

    [Fact]
    public void ScoreIsTheFractionOfStatedAttributesSatisfied()
    {
        var checker = new ToyChecker();
        var image = ToyRenderer.Render(new ToyScene(ToyShape.Triangle, ToyColor.Yellow, ToyPosition.Right, ToySize.Big, ToyBackground.Gray));
        var full = checker.Check(image, "a big yellow triangle on the right on a gray background");
        Assert.Equal(1.0, full.Score);
        Assert.Equal(5, full.Stated);
        Assert.Empty(full.Failed);
        var wrongColour = checker.Check(image, "a big blue triangle on the right");
        Assert.Equal(3.0 / 4, wrongColour.Score);
        Assert.Equal(new[] { "color" }, wrongColour.Failed);
        var twoWrong = checker.Check(image, "pieni keltainen ympyrä oikealla");
        Assert.Equal(2.0 / 4, twoWrong.Score);
        Assert.Equal(new[] { "shape", "size" }, twoWrong.Failed);
        Assert.Equal(ToyColor.Yellow, twoWrong.Detected.Color);
        using var t = image.ToTensorMinus1To1();
        Assert.Equal(1.0, checker.Check(t, "yellow triangle, right").Score);
    }

    [Fact]
    public void AnEmptyImageHasNoForegroundAndOnlyTheBackgroundCanBeRight()
    {
        var checker = new ToyChecker();
        var blank = new RgbImage(32, 32, Enumerable.Repeat((byte)110, 32 * 32 * 3).ToArray());
        var result = checker.Check(blank, "a red circle on a gray background");
        Assert.False(result.Detected.Found);
        Assert.Equal(ToyBackground.Gray, result.Detected.Background);
        Assert.Equal(1.0 / 3, result.Score, 12);
        Assert.Equal(0.0, checker.Check(blank, "").Score);
        Assert.Equal(new ToyPrompt(Background: ToyBackground.Gray), result.Detected.ToPrompt());
    }

    [Fact]
    public void DatasetSamplesScoreOneOnTheirOwnCaptions()
    {
        var checker = new ToyChecker();
        foreach (var s in new ToyDataset(new ToyDatasetOptions { FinnishRate = 0.5 }, 21).Take(100))
            Assert.Equal(1.0, checker.Check(s.Render(), s.Caption).Score);
    }
}
