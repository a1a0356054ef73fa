namespace Penumbra.IO;

/// <summary>The mixture-of-experts shape of a SegMoE UNet (its <c>config.json</c> has <c>segmoe_config</c>):
/// experts per MoE layer, MoE layers (gate matrices, keys containing <c>.gate.weight</c>) and experts used per token.</summary>
public sealed record SegMoEInfo(int NumExperts, int MoeLayers, int? TopK);
