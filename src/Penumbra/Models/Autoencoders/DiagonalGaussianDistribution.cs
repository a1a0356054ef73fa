using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>
/// diffusers' <c>DiagonalGaussianDistribution</c>, the VAE posterior: the moments [B, 2·latent, h, w] split into
/// <see cref="Mean"/> and <see cref="LogVar"/> (clamped to [-30, 20]); <see cref="Std"/> = exp(logvar / 2). Owns its
/// tensors (dispose it, or the tensors you keep are disposed with it).
/// </summary>
public sealed class DiagonalGaussianDistribution : IDisposable
{
    public DiagonalGaussianDistribution(Tensor moments)
    {
        using var scope = NewDisposeScope();
        var parts = moments.chunk(2, 1);
        Mean = parts[0].contiguous();
        LogVar = parts[1].clamp(-30.0, 20.0);
        Std = (0.5 * LogVar).exp();
        Var = LogVar.exp();
        scope.Detach(Mean, LogVar, Std, Var);
    }

    public Tensor Mean { get; }
    public Tensor LogVar { get; }
    public Tensor Std { get; }
    public Tensor Var { get; }

    /// <summary>The mode of the distribution, i.e. <see cref="Mean"/> itself (owned by this object).</summary>
    public Tensor Mode() => Mean;

    /// <summary><c>mean + std · ε</c> with ε ~ N(0, 1) drawn from <paramref name="generator"/> (on the generator's device,
    /// then moved to the mean's, as diffusers' <c>randn_tensor</c>).</summary>
    public Tensor Sample(Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var noise = randn(Mean.shape, dtype: Mean.dtype, device: generator?.device ?? Mean.device, generator: generator).to(Mean.device);
        return scope.MoveToOuter(Mean + Std * noise);
    }

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
        Var.Dispose();
    }
}
