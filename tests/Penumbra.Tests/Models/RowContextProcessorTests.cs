using Penumbra.Models.Attention;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models;

public class RowContextProcessorTests
{
    private static (Penumbra.Models.Attention.Attention Layer, Tensor Hidden, Tensor Context, Tensor Replacement) Setup()
    {
        var g = new Generator(7);
        var layer = new Penumbra.Models.Attention.Attention(16, crossAttentionDim: 12, heads: 2, dimHead: 8);
        var hidden = randn(new long[] { 3, 5, 16 }, generator: g);
        var context = randn(new long[] { 3, 4, 12 }, generator: g);
        var replacement = randn(new long[] { 1, 4, 12 }, generator: g);
        return (layer, hidden, context, replacement);
    }

    [Fact]
    public void ChosenRowsAttendToTheReplacementAndTheOthersToTheirOwnContext()
    {
        var (layer, hidden, context, replacement) = Setup();
        using var _ = layer;
        using var noGrad = no_grad();
        // Expected: the default processor on a context whose row 1 was swapped by hand.
        var swapped = cat(new[] { context[0..1], replacement, context[2..3] });
        var expected = ScaledDotProductAttentionProcessor.Instance.Process(layer, hidden, swapped);
        layer.Processor = new RowContextProcessor(replacement) { Rows = new[] { false, true, false } };
        var actual = layer.call(hidden, context);
        Assert.True(actual.sub(expected).abs().max().item<float>() < 1e-6f);
        // Row 1 differs from what it gets with its own context; rows 0 and 2 do not.
        var own = ScaledDotProductAttentionProcessor.Instance.Process(layer, hidden, context);
        Assert.True(actual[1].sub(own[1]).abs().max().item<float>() > 1e-3f);
        Assert.True(actual[0].sub(own[0]).abs().max().item<float>() < 1e-6f);
        Assert.True(actual[2].sub(own[2]).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void APerRowReplacementGivesEachChosenRowItsOwnRow()
    {
        var (layer, hidden, context, _) = Setup();
        using var __ = layer;
        using var noGrad = no_grad();
        var perRow = randn(new long[] { 3, 4, 12 }, generator: new Generator(11));
        // Rows 0 and 2 chosen: they read rows 0 and 2 of the replacement, row 1 its own context.
        var swapped = cat(new[] { perRow[0..1], context[1..2], perRow[2..3] });
        var expected = ScaledDotProductAttentionProcessor.Instance.Process(layer, hidden, swapped);
        var processor = new RowContextProcessor(randn(1, 4, 12)) { Rows = new[] { true, false, true } };
        processor.Replacement = perRow;
        layer.Processor = processor;
        Assert.True(layer.call(hidden, context).sub(expected).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void NoRowChosenOrSelfAttentionPassesThrough()
    {
        var (layer, hidden, context, replacement) = Setup();
        using var _ = layer;
        using var noGrad = no_grad();
        var own = ScaledDotProductAttentionProcessor.Instance.Process(layer, hidden, context);
        var processor = new RowContextProcessor(replacement);
        layer.Processor = processor;
        Assert.Equal(0f, layer.call(hidden, context).sub(own).abs().max().item<float>());
        processor.Rows = new[] { false, false, false };
        Assert.Equal(0f, layer.call(hidden, context).sub(own).abs().max().item<float>());
    }

    [Fact]
    public void AMismatchedRowCountOrContextShapeIsNamed()
    {
        var (layer, hidden, context, replacement) = Setup();
        using var _ = layer;
        layer.Processor = new RowContextProcessor(replacement) { Rows = new[] { true, false } };
        var e = Assert.Throws<InvalidOperationException>(() => layer.call(hidden, context));
        Assert.Contains("2 rows chosen for a context of 3 rows", e.Message);
        layer.Processor = new RowContextProcessor(randn(1, 6, 12)) { Rows = new[] { true, false, false } };
        Assert.Contains("does not fit", Assert.Throws<InvalidOperationException>(() => layer.call(hidden, context)).Message);
        layer.Processor = new RowContextProcessor(randn(2, 4, 12)) { Rows = new[] { true, false, false } };
        Assert.Contains("replacement context [2, 4, 12] does not fit", Assert.Throws<InvalidOperationException>(() => layer.call(hidden, context)).Message);
        Assert.Contains("[1, N, D] or [B, N, D]", Assert.Throws<ArgumentException>(() => new RowContextProcessor(randn(4, 12))).Message);
    }
}
