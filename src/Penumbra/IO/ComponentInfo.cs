namespace Penumbra.IO;

/// <summary>One component of a model folder: its name (sub-folder), library and class (from <c>model_index.json</c> or
/// its own config), the summary of its weights if it has any, and its SegMoE shape if it is a SegMoE UNet.</summary>
public sealed record ComponentInfo(
    string Name,
    string? Library,
    string? ClassName,
    CheckpointSummary? Weights,
    SegMoEInfo? SegMoE = null,
    string? Note = null);
