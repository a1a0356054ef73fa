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
}
