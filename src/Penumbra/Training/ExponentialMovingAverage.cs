using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Training;

/// <summary>
/// Exponential moving average of a module's parameters, the standard companion of diffusion training (Ho et al. 2020,
/// App. B; Song &amp; Ermon 2020): shadow ← d·shadow + (1 − d)·θ after every optimiser step, with the warm-up
/// d_k = min(d, (1 + k)/(10 + k)) of diffusers' <c>EMAModel</c> so early steps are not dominated by the initialisation.
/// Samples are drawn from the shadow weights.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly (string Name, TorchSharp.Modules.Parameter Live, Tensor Shadow)[] _entries;
    private readonly double _decay;

    public ExponentialMovingAverage(nn.Module module, double decay)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must lie in (0, 1)");
        _decay = decay;
        using var noGrad = no_grad();
        _entries = module.named_parameters().Select(kv => (kv.name, kv.parameter, kv.parameter.detach().clone())).ToArray();
    }

    /// <summary>Decay used at optimiser step <paramref name="step"/> (0-based).</summary>
    public double DecayAt(int step) => Math.Min(_decay, (1.0 + step) / (10.0 + step));

    public void Update(int step)
    {
        double d = DecayAt(step);
        using var noGrad = no_grad();
        foreach (var (_, live, shadow) in _entries) shadow.mul_(d).add_(live, alpha: 1 - d);
    }

    /// <summary>The shadow weights keyed like the module's parameters (views, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => _entries.ToDictionary(e => e.Name, e => e.Shadow);

    /// <summary>Restores the shadow weights from a checkpoint (every parameter must be there with its shape).</summary>
    public void Load(Penumbra.IO.ITensorSource source)
    {
        using var noGrad = no_grad();
        foreach (var (name, _, shadow) in _entries)
        {
            if (!source.Contains(name)) throw new Penumbra.IO.CheckpointFormatException(source.Description, $"no EMA tensor '{name}'");
            using var value = source.Load(name);
            if (!value.shape.SequenceEqual(shadow.shape))
                throw new Penumbra.IO.CheckpointFormatException(source.Description, $"EMA tensor '{name}' has shape [{string.Join(", ", value.shape)}], expected [{string.Join(", ", shadow.shape)}]");
            shadow.copy_(value);
        }
    }

    /// <summary>Writes the shadow weights into the module.</summary>
    public void CopyTo()
    {
        using var noGrad = no_grad();
        foreach (var (_, live, shadow) in _entries) live.copy_(shadow);
    }

    public void Dispose()
    {
        foreach (var (_, _, shadow) in _entries) shadow.Dispose();
    }
}
