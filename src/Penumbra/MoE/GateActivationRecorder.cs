using Penumbra.Models.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// segmoe's gate hooks (spec §3): on each given module, keeps from its <b>last</b> call the first positional input's last
/// batch row (the conditional row of a [uncond, cond] guidance batch), averaged over its tokens (Σ/S in the input's
/// dtype). <see cref="GateVector"/> is that mean L2-normalised with segmoe's 1e-8 floor: one expert's gate row.
/// </summary>
public sealed class GateActivationRecorder : IDisposable
{
    private readonly ModuleTaps _taps;
    private readonly Dictionary<string, Tensor> _means = new(StringComparer.Ordinal);

    public GateActivationRecorder(nn.Module unet, IEnumerable<string> paths)
    {
        _taps = new ModuleTaps(unet);
        foreach (var path in paths)
            _taps.Observe(path, e => Record(e.Path, e.Input ?? throw new InvalidOperationException($"'{e.Path}': first input is not a tensor")));
    }

    /// <summary>The token mean of the last call's last row, per module path (modules not yet called are absent).</summary>
    public IReadOnlyDictionary<string, Tensor> TokenMeans => _means;

    /// <summary>The normalised gate row of <paramref name="path"/>: v / max(‖v‖₂, 1e-8).</summary>
    public Tensor GateVector(string path)
    {
        if (!_means.TryGetValue(path, out var v))
            throw new InvalidOperationException($"'{path}': no call recorded (was the UNet run with the recorder attached?)");
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(v / v.norm().clamp_min(1e-8));
    }

    /// <summary>Removes the hooks; recorded means stay readable until <see cref="Dispose"/>.</summary>
    public void RemoveHooks() => _taps.RemoveHooks();

    public void Dispose()
    {
        _taps.Dispose();
        foreach (var t in _means.Values) t.Dispose();
        _means.Clear();
    }

    private void Record(string path, Tensor input)
    {
        using var scope = NewDisposeScope();
        var last = input[input.shape[0] - 1];
        var rows = last.reshape(-1, last.shape[^1]);
        var mean = (rows.sum(0L) / rows.shape[0]).detach().clone();
        if (_means.Remove(path, out var old)) old.Dispose();
        _means[path] = mean.DetachFromDisposeScope();
    }
}
