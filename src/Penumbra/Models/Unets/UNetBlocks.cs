namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>get_down_block</c> / <c>get_mid_block</c> / <c>get_up_block</c>: one switch on the block type
/// string of the config (a <c>UNetRes</c> prefix is dropped from down and up blocks, as diffusers does).</summary>
public static class UNetBlocks
{
    public static UNetDownBlock CreateDown(string key, string type, UNetBlockSpec spec) => StripPrefix(type) switch
    {
        "DownBlock2D" => new DownBlock2D(spec),
        "CrossAttnDownBlock2D" => new CrossAttnDownBlock2D(spec),
        _ => throw new ArgumentException($"{key}: unknown down block type '{type}' (supported: CrossAttnDownBlock2D, DownBlock2D)"),
    };

    public static UNetUpBlock CreateUp(string key, string type, UNetBlockSpec spec) => StripPrefix(type) switch
    {
        "UpBlock2D" => new UpBlock2D(spec),
        "CrossAttnUpBlock2D" => new CrossAttnUpBlock2D(spec),
        _ => throw new ArgumentException($"{key}: unknown up block type '{type}' (supported: CrossAttnUpBlock2D, UpBlock2D)"),
    };

    /// <summary>The <c>mid_block_type</c> values there is a block for (besides null: no mid block).</summary>
    public static IReadOnlyList<string> MidBlockTypes { get; } = new[] { "UNetMidBlock2DCrossAttn", "UNetMidBlock2D" };

    /// <summary>The mid block for <c>mid_block_type</c> (null: none).</summary>
    public static UNetMidBlock? CreateMid(string? type, UNetBlockSpec spec) => type switch
    {
        null => null,
        "UNetMidBlock2DCrossAttn" => new UNetMidBlock2DCrossAttn(spec.InChannels, spec.TembChannels, spec.Groups, spec.Eps, spec.ActFn,
            spec.CrossAttentionDim, spec.Heads, spec.UseLinearProjection, spec.UpcastAttention, spec.TransformerLayers,
            dropout: spec.Dropout, outputScaleFactor: spec.OutputScaleFactor),
        "UNetMidBlock2D" => new UNetResnetMidBlock(spec.InChannels, spec.TembChannels, spec.Groups, spec.Eps, spec.ActFn, spec.Dropout,
            spec.OutputScaleFactor),
        _ => throw new ArgumentException($"mid_block_type: unknown mid block type '{type}' (supported: {string.Join(", ", MidBlockTypes)}, null)"),
    };

    private static string StripPrefix(string type) => type.StartsWith("UNetRes", StringComparison.Ordinal) ? type[7..] : type;
}
