using System.Diagnostics;
using Penumbra.Classifiers;
using Penumbra.Editing;
using Penumbra.Imaging;
using Penumbra.IO;
using Penumbra.Toy;
using TorchSharp;
using Xunit.Abstractions;

namespace Penumbra.Tests.Toy;

public class ToyShapeCnnTests(ITestOutputHelper output)
{
    [Fact]
    public void KeysShapesAndHeadFollowTheDescription()
    {
        using var model = new ToyShapeCnn(new ToyShapeCnnConfig());
        var keys = model.state_dict().Keys.ToList();
        var expected = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            expected.Add($"features.{3 * i}.weight");
            expected.AddRange(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }.Select(s => $"features.{3 * i + 1}.{s}"));
        }
        expected.Add("fc.weight");
        expected.Add("fc.bias");
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { 32, 16, 3, 3 }, model.state_dict()["features.3.weight"].shape);
        Assert.Equal(new long[] { 5, 64 }, model.state_dict()["fc.weight"].shape);
        Assert.Equal(64, model.FeatureDim);
        Assert.Equal("fc", model.HeadName);
        model.eval();
        using var x = torch.randn(2, 3, 32, 32);
        using var noGrad = torch.no_grad();
        var f = model.Features(x);
        Assert.Equal(new long[] { 2, 64 }, f.shape);
        Assert.Equal(0f, (model.Head.call(f) - model.call(x)).abs().max().item<float>());
    }

    [Fact]
    public void ShortTrainingLowersTheLossAndIsDeterministicForASeed()
    {
        var options = new ToyShapeCnnTrainingOptions { Seed = 3, TrainSize = 384, Epochs = 3, BatchSize = 32 };
        var sw = Stopwatch.StartNew();
        var (model, losses) = ToyShapeCnnTraining.Train(options);
        output.WriteLine($"losses {string.Join(", ", losses.Select(l => l.ToString("F4")))} in {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(3, losses.Count);
        Assert.True(losses[2] < losses[0] - 0.1, $"loss did not go down: {string.Join(", ", losses)}");
        var tiny = options with { Epochs = 1, TrainSize = 128 };
        var (again, _) = ToyShapeCnnTraining.Train(tiny);
        var (same, _) = ToyShapeCnnTraining.Train(tiny);
        var (other, _) = ToyShapeCnnTraining.Train(tiny with { Seed = 4 });
        var a = again.state_dict(); var b = same.state_dict(); var c = other.state_dict();
        Assert.All(a.Keys, k => Assert.True(a[k].eq(b[k]).all().item<bool>(), k));
        Assert.False(a["fc.weight"].eq(c["fc.weight"]).all().item<bool>());
        Assert.False(model.training);
    }

    [Fact]
    public void SafetensorsRoundTripGivesTheSameLogits()
    {
        var dir = Directory.CreateTempSubdirectory("toycnn").FullName;
        try
        {
            torch.manual_seed(1);
            using var model = new ToyShapeCnn(new ToyShapeCnnConfig { Channels = new[] { 8, 16 } });
            model.train();
            using (torch.no_grad()) model.call(torch.randn(8, 3, 32, 32));
            model.eval();
            model.SavePretrained(dir);
            using var loaded = ToyShapeCnn.FromPretrained(dir);
            using var x = torch.randn(3, 3, 32, 32);
            using var noGrad = torch.no_grad();
            Assert.Equal(0f, (model.call(x) - loaded.call(x)).abs().max().item<float>());
            Assert.Equal(new[] { 8, 16 }, loaded.Config.Channels);
            var copy = (ToyShapeCnn)model.Copy();
            Assert.Equal(0f, (model.call(x) - copy.call(x)).abs().max().item<float>());

            // A checkpoint of another architecture fails strictly, naming the key.
            using var wider = new ToyShapeCnn(new ToyShapeCnnConfig { Channels = new[] { 8, 24 } });
            SafetensorsWriter.Save(Path.Combine(dir, ToyShapeCnn.WeightsFileName), wider.state_dict());
            var ex = Assert.ThrowsAny<Exception>(() => ToyShapeCnn.FromPretrained(dir));
            Assert.Contains("features.3.weight", ex.Message);
            Assert.Throws<DirectoryNotFoundException>(() => ToyShapeCnn.FromPretrained(Path.Combine(dir, "missing")));
            File.Delete(Path.Combine(dir, ToyShapeCnn.ConfigFileName));
            Assert.Contains(ToyShapeCnn.ConfigFileName, Assert.Throws<FileNotFoundException>(() => ToyShapeCnn.FromPretrained(dir)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void RecognizerMapsTheClassIndexToItsShape()
    {
        using var model = new ToyShapeCnn(new ToyShapeCnnConfig { Channels = new[] { 4 } });
        using (torch.no_grad())
        {
            model.Head.weight!.zero_();
            model.Head.bias!.copy_(torch.tensor(new float[] { 0, 0, 0, 5, 0 }));
        }
        var image = ToyRenderer.Render(new ToyScene(ToyShape.Circle, ToyColor.Red, ToyPosition.Left, ToySize.Big, ToyBackground.Gray));
        var checker = new ToyChecker(new ToyShapeCnnRecognizer(model));
        Assert.Equal(ToyShape.Cross, checker.Detect(image).Shape);
        Assert.Throws<ArgumentException>(() => new ToyShapeCnnRecognizer(new ToyShapeCnn(new ToyShapeCnnConfig { ClassNames = new[] { "a", "b", "c", "d", "e" } })));
    }

    /// <summary>
    /// The full training with the default options (4000 images, 3 epochs): the spurious version (P(gray | circle) =
    /// P(black | square) = 0.95) shows a worst-group gap on a balanced test set; the clean version (no correlation,
    /// blur/noise augmentation) does not, and as the checker's shape step it is right on degraded renders.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void SpuriousVersionHasAWorstGroupGapTheCleanVersionLacks()
    {
        var results = new Dictionary<string, GroupAccuracy>();
        foreach (var (name, options) in new[]
        {
            ("spurious", new ToyShapeCnnTrainingOptions()),
            ("clean", new ToyShapeCnnTrainingOptions { SpuriousRate = 0.5, Degradation = 1 }),
        })
        {
            var sw = Stopwatch.StartNew();
            var (model, losses) = ToyShapeCnnTraining.Train(options);
            double seconds = sw.Elapsed.TotalSeconds;
            var test = ToyShapeCnnTraining.BalancedTestSet(model.Config, 2000, 1000);
            var acc = ToyShapeCnnTraining.Evaluate(model, test);
            results[name] = acc;
            output.WriteLine($"{name}: train {seconds:F1} s, losses {string.Join(", ", losses.Select(l => l.ToString("F3")))}, " +
                $"average {acc.Average:F3}, worst {acc.Worst:F3} ({test.ClassNames[acc.WorstGroup / 2]}/{test.AttributeNames[acc.WorstGroup % 2]})");
            output.WriteLine("  " + string.Join(", ", Enumerable.Range(0, acc.Groups).Select(g => $"{test.ClassNames[g / 2]}/{test.AttributeNames[g % 2]} {acc.Of(g):F3}")));
            var noisy = ToyShapeCnnTraining.Evaluate(model, ToyShapeCnnTraining.BalancedTestSet(model.Config, 2000, 1001, degradation: 1));
            output.WriteLine($"  degraded test set: average {noisy.Average:F3}, worst {noisy.Worst:F3}");
            if (name == "clean")
            {
                var scenes = new ToyDataset(new ToyDatasetOptions(), 77).Take(300).Select(s => s.Scene).ToList();
                foreach (var (noise, blur) in new[] { (0.0, 0.0), (0.2, 0.0), (0.1, 0.8) })
                {
                    var cnnAcc = ToyCheckerTests.Accuracy(new ToyChecker(new ToyShapeCnnRecognizer(model)), scenes, ToyCheckerTests.Degrade(noise, blur, 5));
                    output.WriteLine($"  checker with the clean CNN, noise {noise} blur {blur}: shape {cnnAcc["shape"]:F3}");
                    Assert.True(cnnAcc["shape"] >= 0.9, $"CNN shape accuracy {cnnAcc["shape"]:F3}");
                }
            }
        }
        Assert.True(results["clean"].Average >= 0.95, $"clean average {results["clean"].Average:F3}");
        Assert.True(results["spurious"].Worst <= results["clean"].Worst - 0.1,
            $"spurious worst group {results["spurious"].Worst:F3} vs clean {results["clean"].Worst:F3}");
    }
}
