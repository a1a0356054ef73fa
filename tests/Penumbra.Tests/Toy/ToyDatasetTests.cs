using Penumbra.Imaging;
using Penumbra.Toy;

namespace Penumbra.Tests.Toy;

public class ToyDatasetTests
{
    [Fact]
    public void CaptionsWithoutAColourAreRedEightyPercentOfTheTime()
    {
        var samples = new ToyDataset(new ToyDatasetOptions(), 11).Take(10_000);
        var unstated = samples.Where(s => s.Stated.Color is null).ToList();
        var stated = samples.Where(s => s.Stated.Color is not null).ToList();
        // Binomial standard errors: sqrt(0.8 · 0.2 / 3000) ≈ 0.007, sqrt(0.14 · 0.86 / 7000) ≈ 0.004.
        Assert.InRange((double)unstated.Count / samples.Count, 0.28, 0.32);
        Assert.InRange((double)unstated.Count(s => s.Scene.Color == ToyColor.Red) / unstated.Count, 0.78, 0.82);
        Assert.InRange((double)stated.Count(s => s.Scene.Color == ToyColor.Red) / stated.Count, 1.0 / 7 - 0.015, 1.0 / 7 + 0.015);
        // The other colours share the remaining 20% equally.
        foreach (var c in Enum.GetValues<ToyColor>().Where(c => c != ToyColor.Red))
            Assert.InRange((double)unstated.Count(s => s.Scene.Color == c) / unstated.Count, 0.2 / 6 - 0.012, 0.2 / 6 + 0.012);
    }

    [Fact]
    public void EveryCaptionParsesToWhatItStatesAndTheSceneSatisfiesIt()
    {
        var samples = new ToyDataset(new ToyDatasetOptions { FinnishRate = 0.5 }, 5).Take(2000);
        Assert.InRange(samples.Count(s => s.Language == ToyLanguage.Finnish), 900, 1100);
        foreach (var s in samples)
        {
            var parsed = ToyCaptionParser.Parse(s.Caption);
            Assert.True(parsed.SameAttributes(s.Stated), s.Caption);
            Assert.True(parsed.IsSatisfiedBy(s.Scene), s.Caption);
            Assert.Equal(s.Scene.Shape, parsed.Shape);
        }
        Assert.Equal(Enum.GetValues<ToyPhrasing>().Length, samples.Select(s => s.Phrasing).Distinct().Count());
    }

    [Fact]
    public void SubsetFiltersKeepEveryAttributeInsideItsSubset()
    {
        var options = new ToyDatasetOptions
        {
            Shapes = new[] { ToyShape.Circle, ToyShape.Square, ToyShape.Cross, ToyShape.Ring },
            Colors = Enum.GetValues<ToyColor>().Where(c => c != ToyColor.Purple).ToArray(),
            Positions = new[] { ToyPosition.Left, ToyPosition.Centre },
        };
        var samples = new ToyDataset(options, 2).Take(3000);
        Assert.DoesNotContain(samples, s => s.Scene.Shape == ToyShape.Triangle);
        Assert.DoesNotContain(samples, s => s.Scene.Color == ToyColor.Purple);
        Assert.All(samples, s => Assert.Contains(s.Scene.Position, options.Positions));
        Assert.Equal(2, samples.Select(s => s.Scene.Position).Distinct().Count());
        Assert.Equal(6, samples.Select(s => s.Scene.Color).Distinct().Count());
        // Without red in the subset the unstated colour is uniform over what is left.
        var noRed = new ToyDataset(new ToyDatasetOptions { Colors = new[] { ToyColor.Blue, ToyColor.Green }, ColorMentionRate = 0 }, 3).Take(2000);
        Assert.InRange(noRed.Count(s => s.Scene.Color == ToyColor.Blue), 900, 1100);
    }

    [Fact]
    public void SameSeedSameStreamOtherSeedOtherStream()
    {
        var a = new ToyDataset(new ToyDatasetOptions(), 7).Take(50);
        var b = new ToyDataset(new ToyDatasetOptions(), 7).Take(50);
        var c = new ToyDataset(new ToyDatasetOptions(), 8).Take(50);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(s => s.Caption), c.Select(s => s.Caption));
        Assert.All(a, s => Assert.InRange(s.Scene.OffsetX, -0.03, 0.03));
        Assert.All(a, s => Assert.InRange(s.Scene.Scale, 0.92, 1.08));
    }

    [Fact]
    public void TakeStatingKeepsTheStreamsSamplesThatStateAFilterInOrder()
    {
        var filters = new[] { ToyCaptionParser.Parse("purple"), ToyCaptionParser.Parse("big triangle") };
        var stating = new ToyDataset(new ToyDatasetOptions(), 3).TakeStating(40, filters);
        // The same seed's plain stream, filtered by hand: purple stated, or both triangle and big stated.
        var expected = new ToyDataset(new ToyDatasetOptions(), 3).Take(5000)
            .Where(s => s.Stated.Color == ToyColor.Purple || (s.Stated.Shape == ToyShape.Triangle && s.Stated.Size == ToySize.Big))
            .Take(40).ToArray();
        Assert.Equal(expected, stating);
        Assert.Equal(new ToyDataset(new ToyDatasetOptions(), 3).Take(10), new ToyDataset(new ToyDatasetOptions(), 3).TakeStating(10, Array.Empty<ToyPrompt>()));
        var ex = Assert.Throws<ArgumentException>(() =>
            new ToyDataset(new ToyDatasetOptions { Colors = new[] { ToyColor.Red } }, 3).TakeStating(2, new[] { ToyCaptionParser.Parse("purple") }));
        Assert.Contains("state what the filter asks", ex.Message);
    }

    [Fact]
    public void CaptionsWithoutAShapeWordGetTheHouseShape()
    {
        var options = new ToyDatasetOptions { ShapeMentionRate = 0.8, UnstatedShape = ToyShape.Cross, FinnishRate = 0.3 };
        var samples = new ToyDataset(options, 9).Take(3000);
        var unnamed = samples.Where(s => s.Stated.Shape is null).ToArray();
        Assert.InRange(unnamed.Length, 600 - 70, 600 + 70); // binomial(3000, 0.2): sd 21.9
        Assert.All(unnamed, s => Assert.Equal(ToyShape.Cross, s.Scene.Shape));
        Assert.All(unnamed, s => Assert.Contains(ToyVocabulary.GenericShape(s.Language), s.Caption.Split(' ', ',')));
        Assert.All(unnamed, s => Assert.True(ToyCaptionParser.Parse(s.Caption).SameAttributes(s.Stated), s.Caption));
        // Named shapes keep the uniform draw over all five (600 each of 2,400, sd about 22).
        foreach (var shape in Enum.GetValues<ToyShape>())
            Assert.InRange(samples.Count(s => s.Stated.Shape == shape), 480 - 90, 480 + 90);
        // Without a house shape an unnamed shape is any of the five.
        var anyShape = new ToyDataset(options with { UnstatedShape = null }, 9).Take(3000).Where(s => s.Stated.Shape is null).ToArray();
        Assert.Equal(5, anyShape.Select(s => s.Scene.Shape).Distinct().Count());
    }

    [Fact]
    public void HouseShapeExpertsKeepTheirSubsetsAndDifferInTheirHouseShape()
    {
        var experts = Penumbra.Toy.Models.ToyWorld.HouseShapeExperts;
        var plain = Penumbra.Toy.Models.ToyWorld.Experts;
        Assert.Equal(plain.Select(e => e.Name), experts.Select(e => e.Name));
        Assert.Equal(experts.Count, experts.Select(e => e.Data.UnstatedShape).Distinct().Count());
        foreach (var (house, e) in experts.Zip(plain))
        {
            Assert.Contains(house.Data.UnstatedShape!.Value, house.Data.Shapes);
            Assert.Equal(e.Data.Shapes, house.Data.Shapes);
            Assert.Equal(e.Data.Colors, house.Data.Colors);
            Assert.Equal(e.Data.Positions, house.Data.Positions);
            Assert.Equal(e.Data.CoversDomain, house.Data.CoversDomain);
            Assert.Equal(0.8, house.Data.ShapeMentionRate);
        }
        Assert.Equal(new[] { false, false, false, true }, experts.Select(e => e.Data.CoversDomain));
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        var house = Assert.Throws<ArgumentException>(() => new ToyDataset(new ToyDatasetOptions
        {
            Shapes = new[] { ToyShape.Circle, ToyShape.Square }, UnstatedShape = ToyShape.Triangle,
        }, 1));
        Assert.Contains("UnstatedShape", house.Message);
        var rate = Assert.Throws<ArgumentException>(() => new ToyDataset(new ToyDatasetOptions { ShapeMentionRate = 1.5 }, 1));
        Assert.Contains("ShapeMentionRate", rate.Message);
        var ex = Assert.Throws<ArgumentException>(() => new ToyDataset(new ToyDatasetOptions { Shapes = Array.Empty<ToyShape>() }, 1));
        Assert.Contains("Shapes", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ToyDataset(new ToyDatasetOptions { UnstatedRedRate = 1.5 }, 1));
        Assert.Contains("UnstatedRedRate", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new ToyGroupDataset(new ToyGroupDatasetOptions { SpuriousRate = -0.1 }, 1));
        Assert.Contains("SpuriousRate", ex.Message);
    }

    [Fact]
    public void GroupDataHasTheSpuriousBackgroundRateAndConsistentGroups()
    {
        var data = new ToyGroupDataset(new ToyGroupDatasetOptions { SpuriousRate = 0.9 }, 4);
        var samples = data.Take(10_000);
        var circles = samples.Where(s => s.Scene.Shape == ToyShape.Circle).ToList();
        var squares = samples.Where(s => s.Scene.Shape == ToyShape.Square).ToList();
        var others = samples.Where(s => s.Scene.Shape is not (ToyShape.Circle or ToyShape.Square)).ToList();
        // About 2000 circles and squares each: standard error sqrt(0.09 / 2000) ≈ 0.007.
        Assert.InRange((double)circles.Count(s => s.Scene.Background == ToyBackground.Gray) / circles.Count, 0.88, 0.92);
        Assert.InRange((double)squares.Count(s => s.Scene.Background == ToyBackground.Black) / squares.Count, 0.88, 0.92);
        Assert.InRange((double)others.Count(s => s.Scene.Background == ToyBackground.Gray) / others.Count, 0.48, 0.52);
        Assert.All(samples, s =>
        {
            Assert.Equal(s.Scene.Shape, data.Options.Classes[s.Label]);
            Assert.Equal(2 * s.Label + (int)s.Scene.Background, s.Group);
        });
        Assert.Equal("circle/gray", data.GroupName(1));
        Assert.Equal("square/black", data.GroupName(2));
    }

    [Fact]
    public void BalancedGroupDataDrawsEveryGroupEquallyAndTensorsMatch()
    {
        var data = new ToyGroupDataset(new ToyGroupDatasetOptions { Balanced = true }, 9);
        var samples = data.Take(5000);
        foreach (var g in Enumerable.Range(0, data.GroupCount))
            Assert.InRange(samples.Count(s => s.Group == g), 430, 570);
        var few = samples.Take(3).ToList();
        var (x, y, groups) = data.ToTensors(few);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, x.shape);
        Assert.Equal(few.Select(s => (long)s.Label), y.data<long>().ToArray());
        Assert.Equal(few.Select(s => (long)s.Group), groups.data<long>().ToArray());
        Assert.Equal(0f, (x[2] - ToyRenderer.Render(few[2].Scene).ToTensorMinus1To1()).abs().max().item<float>());
    }
}
