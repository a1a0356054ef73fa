using static TorchSharp.torch;

namespace Penumbra.Toy;

/// <summary>
/// Image degradations that imitate soft generated samples: a Gaussian blur (separable, radius ⌈3σ⌉, replicate
/// padding) and additive Gaussian noise, on image batches [N,3,H,W] in [-1,1]. Used to test the checker and to make
/// the clean shape classifier robust.
/// </summary>
public static class ToyDegradation
{
    public static Tensor GaussianBlur(Tensor images, double sigma)
    {
        if (sigma < 0) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "blur sigma must be non-negative");
        if (sigma == 0) return images.alias();
        using var scope = NewDisposeScope();
        int r = (int)Math.Ceiling(3 * sigma);
        var k = Enumerable.Range(-r, 2 * r + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = k.Sum();
        var kt = tensor(k.Select(v => (float)(v / sum)).ToArray(), device: images.device).to(images.dtype);
        long c = images.shape[1];
        var x = nn.functional.pad(images, new long[] { r, r, r, r }, TorchSharp.PaddingModes.Replicate);
        x = nn.functional.conv2d(x, kt.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups: c);
        x = nn.functional.conv2d(x, kt.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups: c);
        return scope.MoveToOuter(x);
    }

    /// <summary>Blur of σ then noise of standard deviation <paramref name="noise"/> (in the [-1,1] scale), not clamped.</summary>
    public static Tensor Degrade(Tensor images, double noise, double blurSigma, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var x = GaussianBlur(images, blurSigma);
        if (noise > 0) x = x + (float)noise * randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        return scope.MoveToOuter(x);
    }
}
