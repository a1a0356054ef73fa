using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Models.Autoencoders;

/// <summary><c>config.json</c> of a diffusers <c>AutoencoderKL</c> (0.25 <c>__init__</c> arguments and defaults);
/// unknown keys (e.g. <c>latents_mean</c> of newer diffusers) are kept in <see cref="Extra"/>.</summary>
public sealed record AutoencoderKLConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "AutoencoderKL";
    [JsonPropertyName("_diffusers_version")] public string DiffusersVersion { get; init; } = "0.25.0";

    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public string[] DownBlockTypes { get; init; } = { "DownEncoderBlock2D" };
    public string[] UpBlockTypes { get; init; } = { "UpDecoderBlock2D" };
    public int[] BlockOutChannels { get; init; } = { 64 };
    public int LayersPerBlock { get; init; } = 1;
    public string ActFn { get; init; } = "silu";
    public int LatentChannels { get; init; } = 4;
    public int NormNumGroups { get; init; } = 32;
    public int SampleSize { get; init; } = 32;
    /// <summary>Latents are multiplied by this after encoding and divided by it before decoding (by the pipeline).</summary>
    public double ScalingFactor { get; init; } = 0.18215;
    public bool ForceUpcast { get; init; } = true;

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Throws one <see cref="ArgumentException"/> naming the key of an inconsistent setting.</summary>
    public void Validate()
    {
        int n = BlockOutChannels.Length;
        if (n == 0) throw new ArgumentException("block_out_channels: empty");
        if (DownBlockTypes.Length != n)
            throw new ArgumentException($"down_block_types: {DownBlockTypes.Length} entries, block_out_channels has {n}");
        if (UpBlockTypes.Length != n)
            throw new ArgumentException($"up_block_types: {UpBlockTypes.Length} entries, block_out_channels has {n}");
        if (NormNumGroups <= 0) throw new ArgumentException($"norm_num_groups: {NormNumGroups} must be positive");
    }
}
