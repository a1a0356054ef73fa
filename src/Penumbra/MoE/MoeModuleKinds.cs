namespace Penumbra.MoE;

/// <summary>Names and selection of the <see cref="MoeModuleKind"/> values.</summary>
public static class MoeModuleKinds
{
    /// <summary>All seven kinds in the order segmoe converts them (ff first, then attn1 q/k/v, attn2 q/k/v).</summary>
    public static IReadOnlyList<MoeModuleKind> All { get; } = Enum.GetValues<MoeModuleKind>();

    /// <summary>The path of the module below its transformer block (<c>ff</c>, <c>attn1.to_q</c>, ...).</summary>
    public static string Suffix(this MoeModuleKind kind) => kind switch
    {
        MoeModuleKind.FeedForward => "ff",
        MoeModuleKind.SelfQuery => "attn1.to_q",
        MoeModuleKind.SelfKey => "attn1.to_k",
        MoeModuleKind.SelfValue => "attn1.to_v",
        MoeModuleKind.CrossQuery => "attn2.to_q",
        MoeModuleKind.CrossKey => "attn2.to_k",
        MoeModuleKind.CrossValue => "attn2.to_v",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Whether <paramref name="layers"/> converts modules of this kind.</summary>
    public static bool IsConvertedBy(this MoeModuleKind kind, MoeLayers layers) =>
        layers == MoeLayers.All || (kind == MoeModuleKind.FeedForward) == (layers == MoeLayers.FeedForward);

    /// <summary>The kinds converted by <paramref name="layers"/>.</summary>
    public static IReadOnlyList<MoeModuleKind> For(MoeLayers layers) => All.Where(k => k.IsConvertedBy(layers)).ToArray();

    /// <summary>The <c>moe_layers</c> value: <c>ff</c>, <c>attn</c> or <c>all</c>.</summary>
    public static string ToConfigValue(this MoeLayers layers) => layers switch
    {
        MoeLayers.FeedForward => "ff",
        MoeLayers.Attention => "attn",
        MoeLayers.All => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(layers), layers, null),
    };

    /// <summary>Parses <c>moe_layers</c>; null for anything but <c>ff</c>, <c>attn</c>, <c>all</c>.</summary>
    public static MoeLayers? ParseLayers(string? value) => value switch
    {
        "ff" => MoeLayers.FeedForward,
        "attn" => MoeLayers.Attention,
        "all" => MoeLayers.All,
        _ => null,
    };
}
