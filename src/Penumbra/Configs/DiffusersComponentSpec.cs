namespace Penumbra.Configs;

/// <summary>One component entry of <c>model_index.json</c>: <c>"unet": ["diffusers", "UNet2DConditionModel"]</c>.
/// <c>[null, null]</c> (e.g. a pipeline saved with <c>safety_checker=None</c>) gives null library and class.</summary>
public sealed record DiffusersComponentSpec(string Name, string? Library, string? ClassName)
{
    /// <summary>False for a <c>[null, null]</c> entry: the pipeline has no such component.</summary>
    public bool IsPresent => ClassName is not null;
}
