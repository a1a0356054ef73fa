using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// diffusers' <c>Timesteps</c> (<c>time_proj</c>): the sinusoidal embedding of <c>get_timestep_embedding</c>.
/// Frequencies <c>exp(-ln(max_period) * i / (half - downscale_freq_shift))</c> for i &lt; half, then
/// <c>[sin, cos]</c> (or <c>[cos, sin]</c> with <c>flip_sin_to_cos</c>), zero-padded to an odd width. No weights.
/// </summary>
public sealed class Timesteps : nn.Module<Tensor, Tensor>
{
    private const double MaxPeriod = 10000;

    public Timesteps(long numChannels, bool flipSinToCos, double downscaleFreqShift) : base(nameof(Timesteps))
    {
        NumChannels = numChannels;
        FlipSinToCos = flipSinToCos;
        DownscaleFreqShift = downscaleFreqShift;
        RegisterComponents();
    }

    public long NumChannels { get; }
    public bool FlipSinToCos { get; }
    public double DownscaleFreqShift { get; }

    /// <summary>Embeds a 1-D tensor of (possibly fractional) timesteps as float32 [N, NumChannels].</summary>
    public override Tensor forward(Tensor timesteps)
    {
        if (timesteps.dim() != 1)
            throw new ArgumentException($"timesteps must be a 1-D tensor, got shape [{string.Join(",", timesteps.shape)}]");
        using var scope = NewDisposeScope();
        long half = NumChannels / 2;
        var exponent = arange(0, half, dtype: ScalarType.Float32, device: timesteps.device) * -Math.Log(MaxPeriod);
        exponent = exponent / (half - DownscaleFreqShift);
        var freqs = exp(exponent);
        var emb = timesteps.unsqueeze(1).to(ScalarType.Float32) * freqs.unsqueeze(0);
        emb = FlipSinToCos ? cat(new[] { cos(emb), sin(emb) }, -1) : cat(new[] { sin(emb), cos(emb) }, -1);
        if (NumChannels % 2 == 1) emb = nn.functional.pad(emb, new long[] { 0, 1, 0, 0 });
        return scope.MoveToOuter(emb);
    }
}
