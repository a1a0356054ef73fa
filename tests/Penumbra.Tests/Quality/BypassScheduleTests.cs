using Penumbra.Quality;

namespace Penumbra.Tests.Quality;

public class BypassScheduleTests
{
    private const double Exact = 1e-12;

    [Fact]
    public void ConstantIsTheSameAtEveryStep()
    {
        var s = BypassSchedule.Parse("const:0.8");
        Assert.Equal(new[] { 0.8, 0.8, 0.8, 0.8 }, Enumerable.Range(0, 4).Select(k => s.At(k, 4)));
        Assert.False(s.IsIdentity);
        Assert.True(BypassSchedule.Parse("none").IsIdentity);
        Assert.True(BypassSchedule.Parse("const:1").IsIdentity);
        Assert.False(BypassSchedule.Parse("const:1;scale").IsIdentity);
    }

    [Fact]
    public void WindowIsGInsideAndOneOutside()
    {
        // window:0.7@0-0.3 over 10 steps: u = k/10 in [0, 0.3) for k = 0, 1, 2.
        var s = BypassSchedule.Parse("window:0.7@0-0.3");
        Assert.Equal(new[] { 0.7, 0.7, 0.7, 1, 1, 1, 1, 1, 1, 1 }, Enumerable.Range(0, 10).Select(k => s.At(k, 10)));
        var late = BypassSchedule.Parse("window:0@0.5-1");
        Assert.Equal(new[] { 1.0, 1, 0, 0 }, Enumerable.Range(0, 4).Select(k => late.At(k, 4)));
    }

    [Fact]
    public void RampMatchesTheMethodNotesDefaultFormula()
    {
        // g(k) = g_min + (1 - g_min) * min(1, k / (rho N)), g_min = 0.5, rho = 0.3, N = 20.
        var s = BypassSchedule.Parse("ramp:0.5->1@0-0.3");
        for (int k = 0; k < 20; k++)
            Assert.Equal(0.5 + 0.5 * Math.Min(1, k / (0.3 * 20)), s.At(k, 20), Exact);
        // Whole-run ramp: A + (B - A) k / N, so the first step is A; the reverse direction too.
        var whole = BypassSchedule.Parse("ramp:0.5->1.0");
        Assert.Equal(0.5, whole.At(0, 4), Exact);
        Assert.Equal(0.875, whole.At(3, 4), Exact);
        var reverse = BypassSchedule.Parse("ramp:1->0");
        Assert.Equal(new[] { 1.0, 0.75, 0.5, 0.25 }, Enumerable.Range(0, 4).Select(k => reverse.At(k, 4)));
    }

    [Theory]
    [InlineData("const:0.8")]
    [InlineData("ramp:0.5->1")]
    [InlineData("ramp:0.5->1@0-0.3")]
    [InlineData("window:0.7@0-0.3")]
    [InlineData("window:0@0.25-1;scale")]
    public void CanonicalTextParsesBack(string spec)
    {
        var s = BypassSchedule.Parse(spec);
        Assert.Equal(spec, s.ToString());
        Assert.Equal(s, BypassSchedule.Parse(s.ToString()));
    }

    [Fact]
    public void RuleSuffixSelectsScale()
    {
        Assert.Equal(BypassRule.Scale, BypassSchedule.Parse("const:0.5;scale").Rule);
        Assert.Equal(BypassRule.Interpolate, BypassSchedule.Parse("const:0.5;interpolate").Rule);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("0.8", "missing 'family:'")]
    [InlineData("cosine:0.5", "unknown family 'cosine'")]
    [InlineData("const:abc", "strength 'abc' is not a number")]
    [InlineData("const:3", "strength 3 must lie in [0, 2]")]
    [InlineData("const:-0.1", "must lie in [0, 2]")]
    [InlineData("const:NaN", "is not a number")]
    [InlineData("ramp:0.5", "a ramp needs 'A->B'")]
    [InlineData("window:0.7", "a window needs '@F0-F1'")]
    [InlineData("window:0.7@0.5-0.2", "must satisfy 0 <= F0 < F1 <= 1")]
    [InlineData("window:0.7@0-1.5", "must satisfy 0 <= F0 < F1 <= 1")]
    [InlineData("window:0.7@0.3", "must be F0-F1")]
    [InlineData("const:0.5;sideways", "unknown rule 'sideways'")]
    public void BadSpecsGiveOneClearError(string spec, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => BypassSchedule.Parse(spec));
        Assert.Contains($"'{spec}'", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains("expected const:G", e.Message);
    }

    [Fact]
    public void StepOutsideTheRunIsRejected()
    {
        var s = BypassSchedule.Parse("window:0.5@0-0.5");
        Assert.Throws<ArgumentOutOfRangeException>(() => s.At(4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.At(0, 0));
    }
}
