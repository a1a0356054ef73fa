using Penumbra.Imaging;
using Penumbra.Toy;
using TorchSharp;

namespace Penumbra.Tests.Toy;

public class ToyRendererTests
{
    private const int N = ToyRenderer.DefaultSize;

    private static (int X, int Y) Loc(double ux, double uy) => ((int)Math.Floor(ux * N), (int)Math.Floor(uy * N));

    [Fact]
    public void BigRedCircleInTheCentreHasPureColoursInsideAndOutside()
    {
        var image = ToyRenderer.Render(new ToyScene(ToyShape.Circle, ToyColor.Red, ToyPosition.Centre, ToySize.Big, ToyBackground.Black));
        Assert.Equal(((byte)230, (byte)25, (byte)25), image.Pixel(16, 16));
        Assert.Equal(((byte)0, (byte)0, (byte)0), image.Pixel(0, 0));
        Assert.Equal(((byte)0, (byte)0, (byte)0), image.Pixel(31, 16));
        // 0.25 · 32 = 8 px radius: pixel centres 7 px from the centre are inside, 9.5 px outside.
        Assert.Equal(((byte)230, (byte)25, (byte)25), image.Pixel(16 + 6, 16));
        Assert.Equal(((byte)0, (byte)0, (byte)0), image.Pixel(16 + 9, 16));
    }

    [Fact]
    public void EdgesAreAntiAliasedBetweenForegroundAndBackground()
    {
        var scene = new ToyScene(ToyShape.Circle, ToyColor.White, ToyPosition.Centre, ToySize.Big, ToyBackground.Black);
        var coverage = ToyRenderer.Coverage(scene.Shape, 0.5, 0.5, scene.Radius, N, 4);
        Assert.Contains(coverage, c => c > 0.1 && c < 0.9);
        var image = ToyRenderer.Render(scene);
        for (int i = 0; i < N * N; i++)
            Assert.Equal((byte)Math.Round(coverage[i] * 245, MidpointRounding.AwayFromZero), image.Rgb[3 * i]);
    }

    [Fact]
    public void RingHasAHoleAndSquareHasCornersTheCircleLacks()
    {
        var gray = ToyPalette.Rgb(ToyBackground.Gray);
        var ring = ToyRenderer.Render(new ToyScene(ToyShape.Ring, ToyColor.Blue, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray));
        Assert.Equal(gray, ring.Pixel(16, 16));
        Assert.Equal(ToyPalette.Rgb(ToyColor.Blue), ring.Pixel(16 + 6, 16));
        // Pixel (22, 22) spans 6..7 px from the centre on both axes: partly inside the square (half-side 0.85 · 8 = 6.8 px),
        // wholly outside the circle (nearest corner 8.49 px > 8 px).
        var square = ToyRenderer.Render(new ToyScene(ToyShape.Square, ToyColor.Green, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray));
        var circle = ToyRenderer.Render(new ToyScene(ToyShape.Circle, ToyColor.Green, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray));
        Assert.NotEqual(gray, square.Pixel(16 + 6, 16 + 6));
        Assert.Equal(ToyPalette.Rgb(ToyColor.Green), square.Pixel(16 + 5, 16 + 5));
        Assert.Equal(gray, circle.Pixel(16 + 6, 16 + 6));
        // Cross: the arm is inside, the diagonal between arms is background.
        var cross = ToyRenderer.Render(new ToyScene(ToyShape.Cross, ToyColor.Yellow, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray));
        Assert.Equal(ToyPalette.Rgb(ToyColor.Yellow), cross.Pixel(16 + 7, 16));
        Assert.Equal(gray, cross.Pixel(16 + 5, 16 + 5));
        // Triangle: apex up, so the row above the centre is narrower than the row below.
        var tri = ToyRenderer.Render(new ToyScene(ToyShape.Triangle, ToyColor.Orange, ToyPosition.Centre, ToySize.Big, ToyBackground.Gray));
        int Row(int y) => Enumerable.Range(0, N).Count(x => tri.Pixel(x, y) != gray);
        Assert.True(Row(16 - 5) < Row(16 + 3));
    }

    [Theory]
    [InlineData(ToyShape.Circle)]
    [InlineData(ToyShape.Square)]
    [InlineData(ToyShape.Triangle)]
    [InlineData(ToyShape.Cross)]
    [InlineData(ToyShape.Ring)]
    public void AreaIsFillTimesRadiusSquaredAndCentroidIsTheAnchor(ToyShape shape)
    {
        foreach (var size in Enum.GetValues<ToySize>())
            foreach (var position in Enum.GetValues<ToyPosition>())
            {
                var scene = new ToyScene(shape, ToyColor.White, position, size, ToyBackground.Black);
                var (cx, cy) = scene.Centre;
                var c = ToyRenderer.Coverage(shape, cx, cy, scene.Radius, 128, 4);
                double area = c.Sum(v => (double)v) / (128.0 * 128.0);
                double expected = ToyGeometry.Fill(shape) * scene.Radius * scene.Radius;
                Assert.InRange(area / expected, 0.98, 1.02);
                double mx = 0, my = 0;
                for (int i = 0; i < c.Length; i++) { mx += c[i] * (i % 128 + 0.5); my += c[i] * (i / 128 + 0.5); }
                Assert.InRange(mx / c.Sum(v => (double)v) / 128 - cx, -0.005, 0.005);
                Assert.InRange(my / c.Sum(v => (double)v) / 128 - cy, -0.005, 0.005);
            }
    }

    [Fact]
    public void PositionsAndSizesPlaceTheShapeWhereTheyShould()
    {
        var bg = ToyPalette.Rgb(ToyBackground.Black);
        var left = ToyRenderer.Render(new ToyScene(ToyShape.Square, ToyColor.White, ToyPosition.Left, ToySize.Small, ToyBackground.Black));
        var (lx, ly) = Loc(0.28, 0.5);
        Assert.Equal(ToyPalette.Rgb(ToyColor.White), left.Pixel(lx, ly));
        Assert.Equal(bg, left.Pixel(16, 16));
        var bottom = ToyRenderer.Render(new ToyScene(ToyShape.Square, ToyColor.White, ToyPosition.Bottom, ToySize.Small, ToyBackground.Black));
        var (bx, by) = Loc(0.5, 0.72);
        Assert.Equal(ToyPalette.Rgb(ToyColor.White), bottom.Pixel(bx, by));
        Assert.Equal(bg, bottom.Pixel(16, 16));
        int Count(RgbImage im) => Enumerable.Range(0, N * N).Count(i => im.Pixel(i % N, i / N) != bg);
        var big = ToyRenderer.Render(new ToyScene(ToyShape.Square, ToyColor.White, ToyPosition.Centre, ToySize.Big, ToyBackground.Black));
        var small = ToyRenderer.Render(new ToyScene(ToyShape.Square, ToyColor.White, ToyPosition.Centre, ToySize.Small, ToyBackground.Black));
        // Square side 2 · 0.85 · R: big 13.6 px, small 7.1 px, so about 14² and 7-9² touched pixels.
        Assert.InRange(Count(big), 14 * 14, 16 * 16);
        Assert.InRange(Count(small), 7 * 7, 9 * 9);
    }

    [Fact]
    public void RenderingIsDeterministicAndJitterMovesTheShape()
    {
        var scene = new ToyScene(ToyShape.Triangle, ToyColor.Purple, ToyPosition.Top, ToySize.Big, ToyBackground.Gray) { OffsetX = 0.02, Scale = 1.05 };
        Assert.Equal(ToyRenderer.Render(scene).Rgb, ToyRenderer.Render(scene).Rgb);
        Assert.NotEqual(ToyRenderer.Render(scene).Rgb, ToyRenderer.Render(scene with { OffsetX = 0 }).Rgb);
    }

    [Fact]
    public void FromTensorMapsMinusOneToOneAsTorchDoes()
    {
        // Out-of-range values and exact ties included; the reference is torch's own clamp(round((x + 1) * 127.5)).
        using var gen = new torch.Generator(5);
        using var t = torch.cat(new[] { torch.randn(new long[] { 3, 6, 8 }, generator: gen) * 1.5f,
            torch.tensor(new float[] { -1f, 1f, 0.5f / 127.5f - 1f, 1.5f / 127.5f - 1f, -3f, 3f, 0f, 2.5f / 127.5f - 1f }).reshape(1, 1, 8).expand(3, 1, 8) }, dim: 1);
        using Scalar one = 1f.ToScalar(), half = 127.5f.ToScalar(), lo = 0.ToScalar(), hi = 255.ToScalar();
        using var expected = t.add(one).mul(half).round().clamp(lo, hi).to(torch.ScalarType.Byte).permute(1, 2, 0).contiguous();
        var image = ToyImages.FromTensor(t);
        Assert.Equal((8, 7), (image.Width, image.Height));
        Assert.Equal(expected.data<byte>().ToArray(), image.Rgb);
    }

    [Fact]
    public void TensorRoundTripIsExactAndInMinusOneToOne()
    {
        var image = ToyRenderer.Render(new ToyScene(ToyShape.Ring, ToyColor.Orange, ToyPosition.Right, ToySize.Big, ToyBackground.Gray));
        using var t = image.ToTensorMinus1To1();
        Assert.Equal(new long[] { 3, N, N }, t.shape);
        Assert.Equal(250 / 127.5 - 1, t.max().item<float>(), 5);
        Assert.Equal(image.Rgb, ToyImages.FromTensor(t).Rgb);
        using var batch = ToyImages.ToBatch(new[] { image, image });
        Assert.Equal(new long[] { 2, 3, N, N }, batch.shape);
        Assert.Equal(0f, (batch[1] - t).abs().max().item<float>());
        // Channel 0 of pixel (x, y) is R.
        var (r, _, _) = image.Pixel(0, 0);
        Assert.Equal(r / 127.5f - 1f, t[0, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ToyRenderer.Render(new ToyScene(ToyShape.Circle, ToyColor.Red, ToyPosition.Left, ToySize.Big, ToyBackground.Black), 0));
        Assert.Throws<ArgumentException>(() => ToyImages.FromTensor(torch.zeros(1, 4, 4)));
    }
}
