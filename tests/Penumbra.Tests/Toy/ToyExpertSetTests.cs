using System.Text.Json;
using Penumbra.IO;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Toy;
using Penumbra.Toy.Models;
using Xunit;

namespace Penumbra.Tests.Toy;

public class ToyExpertSetTests
{
    [Fact]
    public void EachColourExpertMissesItsOneColourAndTheCoreIsWhatAllSee()
    {
        var set = ToyExpertSet.Colours;
        var all = Enum.GetValues<ToyColor>();
        var missing = set.Experts.Select(e => all.Except(e.Data.Colors).ToArray()).ToArray();
        Assert.Equal(new[] { ToyColor.Green }, missing[0]);
        Assert.Equal(new[] { ToyColor.Purple }, missing[1]);
        Assert.Equal(new[] { ToyColor.White }, missing[2]);
        Assert.Empty(missing[3]);
        Assert.Equal(0.5, set.Experts[3].StepFraction);
        // The core is the intersection of the experts' colours, with every shape and position.
        var shared = set.Experts.Select(e => e.Data.Colors.ToArray()).Aggregate((a, b) => a.Intersect(b).ToArray());
        Assert.Equal(shared.Order(), set.Core.Data.Colors.Order());
        Assert.Contains(ToyColor.Red, shared);
        Assert.Equal(Enum.GetValues<ToyShape>().Length, set.Core.Data.Shapes.Count);
        Assert.Equal(Enum.GetValues<ToyPosition>().Length, set.Core.Data.Positions.Count);
        // The joint recipe writes the expert that sees everything as the merge's base.
        Assert.True(set.Experts[3].Data.CoversDomain);
        // Its descriptor prompts name what each expert never saw.
        Assert.Equal(new[] { "a green shape", "a purple shape", "a white shape", "" }, set.Experts.Select(e => e.NegativePrompt));
    }

    [Fact]
    public void SetsAreFoundByNameAndAnUnknownNameIsRefusedNamingTheKnownOnes()
    {
        Assert.Same(ToyExpertSet.Concepts, ToyExpertSet.Named("concepts"));
        Assert.Same(ToyExpertSet.Colours, ToyExpertSet.Named("Colours"));
        Assert.Same(ToyWorld.Experts, ToyExpertSet.Concepts.Experts);
        var error = Assert.Throws<ArgumentException>(() => ToyExpertSet.Named("shapes"));
        Assert.Contains("'shapes'", error.Message);
        Assert.Contains("concepts or colours", error.Message);
    }

    [Fact]
    public void HouseShapesApplyToEitherSet()
    {
        Assert.Equal(ToyWorld.HouseShapeExperts.Select(e => e.Data), ToyExpertSet.Concepts.ExpertsFor(houseShapes: true).Select(e => e.Data));
        var colourHouses = ToyExpertSet.Colours.ExpertsFor(houseShapes: true);
        Assert.Equal(new ToyShape?[] { ToyShape.Circle, ToyShape.Square, ToyShape.Cross, ToyShape.Ring }, colourHouses.Select(e => e.Data.UnstatedShape));
        Assert.Equal(ToyExpertSet.Colours.Experts.Select(e => e.Data.Colors), colourHouses.Select(e => e.Data.Colors));
        Assert.Same(ToyExpertSet.Colours.Experts, ToyExpertSet.Colours.ExpertsFor(houseShapes: false));
    }

    [Fact]
    public void TheBundledYamlsAndTheBundledModelRecordTheirExpertSets()
    {
        string models = Path.Combine(Fixtures.RepoRoot, "models");
        Assert.Same(ToyExpertSet.Concepts, ToyExpertSet.RecordedIn(SegMoeConfig.LoadYaml(Path.Combine(models, "toy-segmoe.yaml"))));
        Assert.Same(ToyExpertSet.Colours, ToyExpertSet.RecordedIn(SegMoeConfig.LoadYaml(Path.Combine(models, "toy-segmoe-colours.yaml"))));
        string stored = Path.Combine(models, "toy-segmoe", "unet", "config.json");
        using var json = JsonDocument.Parse(File.ReadAllText(stored));
        Assert.Same(ToyExpertSet.Concepts, ToyExpertSet.RecordedIn(SegMoeConfig.FromJson(json.RootElement.GetProperty(SegMoeConfig.JsonKey), stored)));
    }

    [Fact]
    public void ARecordedSetIsReadByNameAndAnythingElseIsRefusedNamingTheFile()
    {
        SegMoeConfig With(string? json) => new()
        {
            BaseModel = "base", Experts = Array.Empty<SegMoeExpert>(), SourcePath = "/models/x.yaml",
            Extra = json is null ? null : new Dictionary<string, JsonElement> { [ToyExpertSet.ConfigKey] = JsonDocument.Parse(json).RootElement.Clone() },
        };
        Assert.Null(ToyExpertSet.RecordedIn(With(null)));
        Assert.Same(ToyExpertSet.Colours, ToyExpertSet.RecordedIn(With("\"Colours\"")));
        var unknown = Assert.Throws<CheckpointFormatException>(() => ToyExpertSet.RecordedIn(With("\"shapes\"")));
        Assert.Contains("/models/x.yaml", unknown.Message);
        Assert.Contains("shapes", unknown.Message);
        Assert.Contains("concepts", unknown.Message);
        var notAName = Assert.Throws<CheckpointFormatException>(() => ToyExpertSet.RecordedIn(With("[1]")));
        Assert.Contains(ToyExpertSet.ConfigKey, notAName.Message);
    }
}
