using Penumbra.Uncertainty;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

/// <summary>The cosine disagreement and the per-channel normalised variance against values worked out by hand.</summary>
public class PathDisagreementTests
{
    [Fact]
    public void CosineDisagreementOfThreePaths()
    {
        // Paths (1,0), (0,1), (2,0) as [3, 1, 1, 2]: cos01 = 0, cos02 = 1, cos12 = 0 -> (1 + 0 + 1) / 3.
        using var paths = tensor(new float[] { 1, 0, 0, 1, 2, 0 }).reshape(3, 1, 1, 2);
        Assert.Equal(2.0 / 3, CosineDisagreement.Score(paths), 12);
        // Opposite paths: 1 - (-1) = 2; scale does not matter.
        using var opposite = tensor(new double[] { 3, 4, -0.3, -0.4 }).reshape(2, 2);
        Assert.Equal(2.0, CosineDisagreement.Score(opposite), 12);
        using var scaled = tensor(new double[] { 1, 2, 3, 10, 20, 30 }).reshape(2, 3);
        Assert.Equal(0.0, CosineDisagreement.Score(scaled), 12);
        // (1,1) and (1,0): cos = 1/sqrt 2.
        using var diagonal = tensor(new double[] { 1, 1, 1, 0 }).reshape(2, 2);
        Assert.Equal(1 - 1 / Math.Sqrt(2), CosineDisagreement.Score(diagonal), 12);
        // Zero paths: two zeros agree, a zero and a non-zero do not (cosine 0).
        using var zeroPair = zeros(2, 3);
        Assert.Equal(0.0, CosineDisagreement.Score(zeroPair), 12);
        using var zeroAndOne = tensor(new double[] { 0, 0, 1, 0 }).reshape(2, 2);
        Assert.Equal(1.0, CosineDisagreement.Score(zeroAndOne), 12);
        using var one = ones(1, 3);
        Assert.Throws<ArgumentException>(() => CosineDisagreement.Score(one));
    }

    [Fact]
    public void ChannelNormalisedVarianceIsTheBetweenPathShareOfEachChannel()
    {
        // M = 2 paths, C = 2 channels, 2 positions ([2, 2, 1, 2]).
        // Channel 0: path 0 = (0, 2), path 1 = (2, 4). Between: Var over paths at each position = 1, 1 -> 1.
        //   Total over the four values {0, 2, 2, 4}: mean 2, variance (4+0+0+4)/4 = 2 -> ratio 1/2.
        // Channel 1: path 0 = (1, 5), path 1 = (1, 5): between 0, total 4 -> ratio 0. Mean over channels 1/4.
        using var paths = tensor(new float[] { 0, 2, 1, 5, 2, 4, 1, 5 }).reshape(2, 2, 1, 2);
        Assert.Equal(0.25, ChannelNormalisedVariance.Score(paths), 12);
        // A channel with no variation at all is left out: channel 1 constant -> channel 0's ratio alone.
        using var flat = tensor(new float[] { 0, 2, 7, 7, 2, 4, 7, 7 }).reshape(2, 2, 1, 2);
        Assert.Equal(0.5, ChannelNormalisedVariance.Score(flat), 12);
        // Paths that differ only by a constant per path: all variation is between paths -> 1; scaling a channel changes nothing.
        // Paths (0,0,0) and (1,1,1) in one channel: between 1/4 at every position, total 1/4 -> 1, at any scale.
        using var shifted = tensor(new double[] { 0, 0, 0, 1, 1, 1 }).reshape(2, 1, 3);
        Assert.Equal(1.0, ChannelNormalisedVariance.Score(shifted), 12);
        Assert.Equal(1.0, ChannelNormalisedVariance.Score(shifted * 100), 12);
        using var constant = ones(3, 2, 2, 2);
        Assert.Equal(0.0, ChannelNormalisedVariance.Score(constant), 12);
        using var tooFlat = ones(2, 3);
        Assert.Throws<ArgumentException>(() => ChannelNormalisedVariance.Score(tooFlat));
    }

    [Fact]
    public void CaptionEffectDisagreementIsTheSpreadShareOfTheMoves()
    {
        // Empty-prompt paths differ per path; only the moves d_i = p_i - e_i count.
        // d = (1,0), (0,1): mean (1/2,1/2), spread 2 * 1/2 = 1, total 2 -> 1/2; size -(1 + 1) / (2 * 2) = -1/2.
        using var empty = tensor(new double[] { 5, -3, 2, 7 }).reshape(2, 1, 2);
        using var paths = tensor(new double[] { 6, -3, 2, 8 }).reshape(2, 1, 2);
        Assert.Equal(0.5, CaptionEffectDisagreement.Score(paths, empty), 12);
        Assert.Equal(-0.5, CaptionEffectDisagreement.NegativeSize(paths, empty), 12);
        // Equal moves: no disagreement, whatever the experts' empty paths; moves that cancel: 1; no move: 0.
        using var same = tensor(new double[] { 7, -1, 4, 9 }).reshape(2, 1, 2);
        Assert.Equal(0.0, CaptionEffectDisagreement.Score(same, empty), 12);
        using var cancel = tensor(new double[] { 6, -1, 1, 5 }).reshape(2, 1, 2);
        Assert.Equal(1.0, CaptionEffectDisagreement.Score(cancel, empty), 12);
        Assert.Equal(0.0, CaptionEffectDisagreement.Score(empty, empty), 12);
        // Three paths, moves 1, 1, 4 in one dimension: mean 2, spread 1 + 1 + 4 = 6, total 18 -> 1/3; scale-free.
        using var zero = zeros(3, 1);
        using var three = tensor(new double[] { 1, 1, 4 }).reshape(3, 1);
        Assert.Equal(1.0 / 3, CaptionEffectDisagreement.Score(three, zero), 12);
        Assert.Equal(1.0 / 3, CaptionEffectDisagreement.Score(three * 1000, zero), 12);
        Assert.Equal(-6.0, CaptionEffectDisagreement.NegativeSize(three, zero), 12);
        using var wrong = zeros(2, 1, 3);
        Assert.Contains("empty prompt", Assert.Throws<ArgumentException>(() => CaptionEffectDisagreement.Score(paths, wrong)).Message);
    }

    [Fact]
    public void AllMeasuresScoredByName()
    {
        using var paths = tensor(new float[] { 0, 2, 1, 5, 2, 4, 1, 5 }).reshape(2, 2, 1, 2);
        var scores = PathDisagreements.Score(paths);
        Assert.Equal(new[] { DecuPaide.Name, CosineDisagreement.Name, ChannelNormalisedVariance.Name }, scores.Keys);
        Assert.Equal(DecuPaide.Score(paths), scores[DecuPaide.Name]);
        Assert.Equal(0.25, scores[ChannelNormalisedVariance.Name], 12);
        using var empty = zeros_like(paths);
        var withEmpty = PathDisagreements.Score(paths, empty);
        Assert.Equal(PathDisagreements.Names, withEmpty.Keys);
        Assert.Equal(CaptionEffectDisagreement.Score(paths, empty), withEmpty[CaptionEffectDisagreement.Name]);
    }
}
