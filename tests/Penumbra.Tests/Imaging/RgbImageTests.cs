using Penumbra.Imaging;
using TorchSharp;

namespace Penumbra.Tests.Imaging;

public class RgbImageTests
{
    [Fact]
    public void FromTensorClampsRoundsAndInterleaves()
    {
        // [3,1,2]: pixel (0,0) = (0.5, -1, 2) -> (128, 0, 255) since round(127.5) = 128; pixel (1,0) = (0.1, 0.2, 1) -> (26, 51, 255)
        using var t = torch.tensor(new float[] { 0.5f, 0.1f, -1f, 0.2f, 2f, 1f }).reshape(3, 1, 2);
        var img = RgbImage.FromTensor01(t);
        Assert.Equal((2, 1), (img.Width, img.Height));
        Assert.Equal(new byte[] { 128, 0, 255, 26, 51, 255 }, img.Rgb);
    }

    [Fact]
    public void ToTensorMapsBytesToMinusOneOne()
    {
        var img = new RgbImage(1, 1, new byte[] { 0, 255, 51 });
        using var t = img.ToTensorMinus1To1();
        Assert.Equal(new long[] { 3, 1, 1 }, t.shape);
        Assert.Equal(-1f, t[0, 0, 0].item<float>(), 6);
        Assert.Equal(1f, t[1, 0, 0].item<float>(), 6);
        Assert.Equal(51 / 127.5f - 1, t[2, 0, 0].item<float>(), 6);
    }
}
