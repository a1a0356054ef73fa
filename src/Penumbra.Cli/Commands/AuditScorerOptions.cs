namespace Penumbra.Cli.Commands;

/// <summary>Options every scorer may read: a model folder, a device, the images asked per prompt and seed, a CLIP
/// model folder for judging images, and free key=value settings (--scorer-option).</summary>
public sealed record AuditScorerOptions(string? Model, string Device, IReadOnlyDictionary<string, string> Extra)
{
    public int Images { get; init; }
    public string? Clip { get; init; }
}
