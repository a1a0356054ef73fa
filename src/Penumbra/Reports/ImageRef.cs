namespace Penumbra.Reports;

/// <summary>An image of a prompt (absolute paths; either may be null).</summary>
public sealed record ImageRef(long Seed, int Index, string? ImagePath, string? MapPath);
