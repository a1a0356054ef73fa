namespace Penumbra.Cli.Commands;

/// <summary>Options every scorer may read: a model folder, a device, and free key=value settings (--scorer-option).</summary>
public sealed record AuditScorerOptions(string? Model, string Device, IReadOnlyDictionary<string, string> Extra);
