namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>get_down_block</c> / <c>get_up_block</c>: one switch on the block type string of the
/// config (a <c>UNetRes</c> prefix is dropped, as diffusers does).</summary>
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

    private static string StripPrefix(string type) => type.StartsWith("UNetRes", StringComparison.Ordinal) ? type[7..] : type;
}
