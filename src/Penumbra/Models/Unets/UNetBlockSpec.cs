namespace Penumbra.Models.Unets;

/// <summary>The arguments diffusers' <c>get_down_block</c> / <c>get_mid_block</c> / <c>get_up_block</c> pass to a UNet block.</summary>
public sealed record UNetBlockSpec
{
    public required int NumLayers { get; init; }
    public int TransformerLayers { get; init; } = 1;
    public required long InChannels { get; init; }
    public required long OutChannels { get; init; }
    /// <summary>Up blocks only: channels coming from the block below.</summary>
    public long PrevOutputChannels { get; init; }
    public required long TembChannels { get; init; }
    /// <summary>Down blocks: add a downsampler; up blocks: add an upsampler.</summary>
    public required bool AddSampler { get; init; }
    public double Eps { get; init; } = 1e-5;
    public string ActFn { get; init; } = "silu";
    public long Groups { get; init; } = 32;
    public long CrossAttentionDim { get; init; } = 1280;
    public int Heads { get; init; } = 8;
    public long DownsamplePadding { get; init; } = 1;
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    public double Dropout { get; init; }
    /// <summary>Mid blocks only: <c>mid_block_scale_factor</c>, dividing each resnet's output.</summary>
    public double OutputScaleFactor { get; init; } = 1.0;
}
