using Penumbra.Toy;
using Penumbra.Toy.Models;
using static TorchSharp.torch;

namespace Penumbra.Tests.Toy;

/// <summary>The span of caption states and the two measures taken against it, on hand-made states.</summary>
public class ToyTextSpanTests
{
    private static Tensor Rows(params double[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length });

    [Fact]
    public void StatesInTheFirstTwoCoordinatesSpanExactlyThose()
    {
        using var states = Rows(new double[] { 1, 0, 0, 0 }, new double[] { 0, 2, 0, 0 }, new double[] { 1, 1, 0, 0 });
        using var span = ToyTextSpan.Of(states);
        Assert.Equal(2, span.Rank);
        Assert.Equal(4, span.Width);
        using var third = Rows(new double[] { 0, 0, 1, 0 });
        Assert.Equal(1.0, span.EnergyOutside(third), 12);
        using var diagonal = Rows(new double[] { 1, 1, 1, 1 });
        Assert.Equal(0.5, span.EnergyOutside(diagonal), 12);
        using var inside = Rows(new double[] { 3, 4, 0, 0 }, new double[] { 0, 0, 0, 2 });
        Assert.Equal(4.0 / 29, span.EnergyOutside(inside), 12); // (0 + 4) / (25 + 4)
    }

    [Fact]
    public void TheToleranceDecidesWhetherAFaintDirectionCounts()
    {
        // Gram eigenvalues 1 + 1 = 2 (first coordinate, twice) and 1e-6 (third): 5e-7 of the largest.
        using var states = Rows(new double[] { 1, 0, 0 }, new double[] { 1, 0, 0 }, new double[] { 0, 0, 1e-3 });
        using var coarse = ToyTextSpan.Of(states, 1e-4);
        using var fine = ToyTextSpan.Of(states, 1e-8);
        Assert.Equal(1, coarse.Rank);
        Assert.Equal(2, fine.Rank);
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyTextSpan.Of(states, 0));
        using var zero = zeros(3, 3);
        Assert.Throws<ArgumentException>(() => ToyTextSpan.Of(zero));
    }

    [Fact]
    public void SpreadCountsOnlyDifferencesOutsideTheSpanAgainstTheInitExpectation()
    {
        using var states = Rows(new double[] { 1, 0, 0, 0 }, new double[] { 0, 1, 0, 0 });
        using var span = ToyTextSpan.Of(states);
        // [2, 4] weights differing by 1 at (0, 2) and (1, 3): 2 / (2·2·(4−2)/(3·4)) = 3; a difference inside the span: 0.
        using var a = zeros(2, 4);
        using var b = tensor(new double[] { 0, 0, 1, 0, 0, 0, 0, 1 }).reshape(2, 4);
        Assert.Equal(3.0, span.OutOfSpanSpread(a, b), 12);
        using var c = tensor(new double[] { 5, -1, 0, 0, 0, 7, 0, 0 }).reshape(2, 4);
        Assert.Equal(0.0, span.OutOfSpanSpread(a, c), 12);
        using var wrong = zeros(2, 3);
        Assert.Throws<ArgumentException>(() => span.OutOfSpanSpread(a, wrong));
    }

    [Fact]
    public void TwoIndependentDefaultLinearInitsHaveSpreadNearOne()
    {
        // nn.Linear draws U(±1/√fan_in), variance 1/(3·fan_in): the expectation the spread divides by.
        manual_seed(3);
        using var first = nn.Linear(256, 64, hasBias: false);
        using var second = nn.Linear(256, 64, hasBias: false);
        using var states = randn(100, 256, ScalarType.Float64);
        using var span = ToyTextSpan.Of(states);
        Assert.Equal(100, span.Rank);
        // 64 × 156 squared differences: relative sd of their mean about sqrt(0.8 / 9984) ≈ 0.009.
        Assert.InRange(span.OutOfSpanSpread(first.weight!, second.weight!), 0.95, 1.05);
    }

    [Fact]
    public void LeftOutNamesCaptionsStatingWhatTheDataNeverDraw()
    {
        var noTriangles = ToyWorld.Experts[0].Data;
        Assert.True(noTriangles.Omits(new ToyPrompt(ToyShape.Triangle)));
        Assert.False(noTriangles.Omits(new ToyPrompt(ToyShape.Circle, ToyColor.Purple, ToyPosition.Top)));
        Assert.False(noTriangles.Omits(new ToyPrompt(Color: ToyColor.Red)));
        var leftCentre = ToyWorld.Experts[2].Data;
        Assert.True(leftCentre.Omits(new ToyPrompt(Position: ToyPosition.Right)));
        Assert.False(leftCentre.Omits(new ToyPrompt(ToyShape.Triangle, Position: ToyPosition.Centre)));
    }

    [Fact]
    public void WithoutLeftOutDropsExactlyTheAttributesTheDataNeverDraw()
    {
        var core = ToyWorld.Core.Data;
        var stated = new ToyPrompt(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Right, ToySize.Big, ToyBackground.Gray);
        Assert.True(core.WithoutLeftOut(stated).SameAttributes(new ToyPrompt(Size: ToySize.Big, Background: ToyBackground.Gray)));
        var inCore = new ToyPrompt(ToyShape.Circle, ToyColor.Red, ToyPosition.Left, ToySize.Small);
        Assert.True(core.WithoutLeftOut(inCore).SameAttributes(inCore));
        Assert.True(ToyWorld.Experts[0].Data.WithoutLeftOut(stated).SameAttributes(stated with { Shape = null }));
        // Written, the dropped shape is the generic noun and the rest keeps its words.
        Assert.Equal("a big shape on a gray background", ToyCaptions.Write(core.WithoutLeftOut(stated), ToyPhrasing.Plain, ToyLanguage.English));
    }
}
