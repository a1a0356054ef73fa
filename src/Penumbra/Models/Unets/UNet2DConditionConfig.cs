using System.Text.Json;
using System.Text.Json.Serialization;
using Penumbra.Configs;

namespace Penumbra.Models.Unets;

/// <summary>
/// <c>config.json</c> of a diffusers <c>UNet2DConditionModel</c>: every <c>__init__</c> argument of diffusers 0.25 with
/// its default, so a missing key means the default. Unknown keys (<c>segmoe_config</c>, <c>_name_or_path</c>, keys of
/// newer diffusers) are kept in <see cref="Extra"/> and written back by a save.
/// Note the historical naming: with <see cref="NumAttentionHeads"/> null, <see cref="AttentionHeadDim"/> is the number
/// of attention heads per block (8 for SD 1.x, [5, 10, 20, 20] for SD 2.x), not the channels per head.
/// </summary>
public sealed record UNet2DConditionConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "UNet2DConditionModel";
    [JsonPropertyName("_diffusers_version")] public string DiffusersVersion { get; init; } = "0.25.0";

    public int? SampleSize { get; init; }
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public bool CenterInputSample { get; init; }
    public bool FlipSinToCos { get; init; } = true;
    public double FreqShift { get; init; }
    public string[] DownBlockTypes { get; init; } = { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" };
    public string? MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";
    public string[] UpBlockTypes { get; init; } = { "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D" };
    public bool OnlyCrossAttention { get; init; }
    public int[] BlockOutChannels { get; init; } = { 320, 640, 1280, 1280 };
    public IntOrList LayersPerBlock { get; init; } = 2;
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1;
    public double Dropout { get; init; }
    public string ActFn { get; init; } = "silu";
    public int? NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    public IntOrList CrossAttentionDim { get; init; } = 1280;
    public IntOrList TransformerLayersPerBlock { get; init; } = 1;
    public JsonElement? ReverseTransformerLayersPerBlock { get; init; }
    public int? EncoderHidDim { get; init; }
    public string? EncoderHidDimType { get; init; }
    public IntOrList AttentionHeadDim { get; init; } = 8;
    public IntOrList? NumAttentionHeads { get; init; }
    public bool DualCrossAttention { get; init; }
    public bool UseLinearProjection { get; init; }
    public string? ClassEmbedType { get; init; }
    public string? AdditionEmbedType { get; init; }
    public int? AdditionTimeEmbedDim { get; init; }
    public int? NumClassEmbeds { get; init; }
    public bool UpcastAttention { get; init; }
    public string ResnetTimeScaleShift { get; init; } = "default";
    public bool ResnetSkipTimeAct { get; init; }
    public double ResnetOutScaleFactor { get; init; } = 1.0;
    public string TimeEmbeddingType { get; init; } = "positional";
    public int? TimeEmbeddingDim { get; init; }
    public string? TimeEmbeddingActFn { get; init; }
    public string? TimestepPostAct { get; init; }
    public int? TimeCondProjDim { get; init; }
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    public int? ProjectionClassEmbeddingsInputDim { get; init; }
    public string AttentionType { get; init; } = "default";
    public bool ClassEmbeddingsConcat { get; init; }
    public bool? MidBlockOnlyCrossAttention { get; init; }
    public string? CrossAttentionNorm { get; init; }
    public int AdditionEmbedTypeNumHeads { get; init; } = 64;

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Heads of attention block level <paramref name="i"/> (diffusers: <c>num_attention_heads or attention_head_dim</c>).</summary>
    public int HeadsFor(int i) => (NumAttentionHeads ?? AttentionHeadDim).For(i, BlockOutChannels.Length);

    /// <summary>Throws one <see cref="ArgumentException"/> naming the key for a setting this implementation does not
    /// build (class / addition embeddings, GLIGEN, dual cross-attention, ...), or for inconsistent list lengths.</summary>
    public void Validate()
    {
        int n = DownBlockTypes.Length;
        void Require(bool ok, string message) { if (!ok) throw new ArgumentException(message); }
        void Unsupported(bool isDefault, string key, object? value) =>
            Require(isDefault, $"{key}: value {JsonSerializer.Serialize(value)} is not supported (only the diffusers default)");

        Require(n > 0, "down_block_types: empty");
        Require(UpBlockTypes.Length == n, $"up_block_types: {UpBlockTypes.Length} entries, down_block_types has {n}");
        Require(BlockOutChannels.Length == n, $"block_out_channels: {BlockOutChannels.Length} entries, down_block_types has {n}");
        foreach (var (key, v) in new[] { ("layers_per_block", LayersPerBlock), ("cross_attention_dim", CrossAttentionDim),
                     ("transformer_layers_per_block", TransformerLayersPerBlock), ("attention_head_dim", AttentionHeadDim) })
            Require(v.IsScalar || v.Values.Length == n, $"{key}: {v} has {v.Values.Length} entries, down_block_types has {n}");
        if (NumAttentionHeads is { } heads)
            Require(heads.IsScalar || heads.Values.Length == n, $"num_attention_heads: {heads} has {heads.Values.Length} entries, down_block_types has {n}");
        Require(NormNumGroups is > 0, $"norm_num_groups: {JsonSerializer.Serialize(NormNumGroups)} is not supported (the blocks need a group count)");
        for (int i = 0; i < n; i++)
            Require(BlockOutChannels[i] % HeadsFor(i) == 0,
                $"block_out_channels[{i}] = {BlockOutChannels[i]} is not divisible by {HeadsFor(i)} attention heads");
        Require(MidBlockType is null || UNetBlocks.MidBlockTypes.Contains(MidBlockType),
            $"mid_block_type: unknown mid block type '{MidBlockType}' (supported: {string.Join(", ", UNetBlocks.MidBlockTypes)}, null)");
        Unsupported(TimeEmbeddingType == "positional", "time_embedding_type", TimeEmbeddingType);
        Unsupported(ClassEmbedType is null, "class_embed_type", ClassEmbedType);
        Unsupported(NumClassEmbeds is null, "num_class_embeds", NumClassEmbeds);
        Unsupported(AdditionEmbedType is null, "addition_embed_type", AdditionEmbedType);
        Unsupported(EncoderHidDim is null, "encoder_hid_dim", EncoderHidDim);
        Unsupported(EncoderHidDimType is null, "encoder_hid_dim_type", EncoderHidDimType);
        Unsupported(TimeCondProjDim is null, "time_cond_proj_dim", TimeCondProjDim);
        Unsupported(!DualCrossAttention, "dual_cross_attention", DualCrossAttention);
        Unsupported(!OnlyCrossAttention, "only_cross_attention", OnlyCrossAttention);
        Unsupported(AttentionType == "default", "attention_type", AttentionType);
        Unsupported(ResnetTimeScaleShift == "default", "resnet_time_scale_shift", ResnetTimeScaleShift);
        Unsupported(CrossAttentionNorm is null, "cross_attention_norm", CrossAttentionNorm);
        Unsupported(ReverseTransformerLayersPerBlock is null || ReverseTransformerLayersPerBlock.Value.ValueKind == JsonValueKind.Null,
            "reverse_transformer_layers_per_block", ReverseTransformerLayersPerBlock);
    }
}
