using Penumbra.Imaging;
using Penumbra.IO;
using Penumbra.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Imaging;

/// <summary><c>in.pixel_values</c> of <c>reference/clip.safetensors</c> from <c>in.image_uint8</c> and
/// <c>tiny-clip/preprocessor_config.json</c> (fixtures/README.md section 10), plus hand-checked resize and crop cases.</summary>
public class ClipImageProcessorTests(ITestOutputHelper output)
{
    /// <summary>fixtures/README.md, "Tolerances": <c>in.pixel_values</c> &lt;= 1e-4 with a PIL-exact bicubic resize.</summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public void PixelValuesMatchTransformers()
    {
        using var reference = SafetensorsFile.Open(Fixtures.Path("reference", "clip.safetensors"));
        using var scope = NewDisposeScope();
        var hwc = reference.Load("in.image_uint8");
        int h = (int)hwc.shape[0], w = (int)hwc.shape[1];
        var image = new RgbImage(w, h, hwc.data<long>().Select(v => checked((byte)v)).ToArray());
        var processor = ClipImageProcessor.FromPretrained(Fixtures.Path("tiny-clip"));
        var actual = processor.Preprocess(image);
        var expected = reference.Load("in.pixel_values");
        Assert.Equal(expected.shape, actual.shape);
        double err = (actual.to(float64) - expected.to(float64)).abs().max().item<double>();
        output.WriteLine($"in.pixel_values: max abs error {err:E2}");
        Assert.True(err <= Tolerance, $"in.pixel_values: max abs error {err:E3} > {Tolerance:E0}");
    }

    [Theory]
    [InlineData(PilResample.Bicubic)]
    [InlineData(PilResample.Bilinear)]
    [InlineData(PilResample.Lanczos)]
    [InlineData(PilResample.Box)]
    [InlineData(PilResample.Hamming)]
    public void ConstantImageStaysConstant(PilResample filter)
    {
        var image = new RgbImage(13, 7, Enumerable.Range(0, 13 * 7).SelectMany(_ => new byte[] { 200, 17, 255 }).ToArray());
        foreach (var (w, h) in new[] { (5, 3), (29, 11), (13, 20), (1, 1) })
        {
            var r = PilResize.Resize(image, w, h, filter);
            Assert.Equal((w, h), (r.Width, r.Height));
            for (int i = 0; i < w * h; i++) Assert.Equal(new byte[] { 200, 17, 255 }, r.Rgb[(i * 3)..(i * 3 + 3)]);
        }
    }

    [Fact]
    public void BilinearHalvingAveragesPairs()
    {
        // Downscale by 2 with bilinear: support 2, centre between two pixels, weights 1/8, 3/8, 3/8, 1/8 (edge pixels renormalised).
        var row = new byte[] { 0, 40, 80, 120, 160, 200, 240, 255 };
        var image = new RgbImage(8, 1, row.SelectMany(v => new[] { v, v, v }).ToArray());
        var r = PilResize.Resize(image, 4, 1, PilResample.Bilinear);
        double[] Expected(int xx)
        {
            double center = 2 * xx + 1;
            var ws = Enumerable.Range(0, 8).Select(x => Math.Max(0, 1 - Math.Abs((x + 0.5 - center) / 2))).ToArray();
            return new[] { ws.Zip(row, (a, b) => a * b).Sum() / ws.Sum() };
        }
        for (int xx = 0; xx < 4; xx++) Assert.InRange(r.Rgb[xx * 3] - Expected(xx)[0], -0.5, 0.5);
    }

    [Fact]
    public void ShortestEdgeAndCenterCropFollowTransformers()
    {
        Assert.Equal((40, 32), ClipImageProcessor.ShortestEdgeSize(50, 40, 32));
        Assert.Equal((32, 42), ClipImageProcessor.ShortestEdgeSize(30, 40, 32));
        var image = new RgbImage(3, 2, Enumerable.Range(1, 18).Select(v => (byte)v).ToArray());
        var padded = ClipImageProcessor.CenterCrop(image, 4, 5);
        Assert.Equal((5, 4), (padded.Width, padded.Height));
        // pad top ceil(2/2)=1, left ceil(2/2)=1: the image sits at rows 1-2, columns 1-3.
        Assert.Equal(new byte[] { 1, 2, 3 }, padded.Rgb[((1 * 5 + 1) * 3)..((1 * 5 + 1) * 3 + 3)]);
        Assert.Equal(new byte[] { 0, 0, 0 }, padded.Rgb[..3]);
        var cropped = ClipImageProcessor.CenterCrop(image, 1, 1);
        Assert.Equal(new byte[] { 4, 5, 6 }, cropped.Rgb);
    }

    [Fact]
    public void BadConfigIsNamed()
    {
        string dir = Directory.CreateTempSubdirectory("penumbra-proc").FullName;
        File.WriteAllText(Path.Combine(dir, ClipImageProcessorConfig.FileName), "{\"size\": {\"longest\": 3}}");
        var e = Assert.Throws<CheckpointFormatException>(() => ClipImageProcessor.FromPretrained(dir));
        Assert.Contains(ClipImageProcessorConfig.FileName, e.Message);
        Assert.Contains("size", e.Message);
    }
}
