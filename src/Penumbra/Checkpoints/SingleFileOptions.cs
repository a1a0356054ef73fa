namespace Penumbra.Checkpoints;

/// <summary>How to read a single-file checkpoint (diffusers' <c>from_single_file</c> arguments of the same meaning).</summary>
public sealed record SingleFileOptions
{
    /// <summary>The original LDM inference yaml; null: the architecture is inferred from the tensor shapes.</summary>
    public string? OriginalConfig { get; init; }

    /// <summary>With both EMA (<c>model_ema.*</c>) and regular UNet weights in the file, load the EMA ones
    /// (diffusers' <c>extract_ema</c>; default false: the regular weights, as diffusers).</summary>
    public bool ExtractEma { get; init; }

    /// <summary>Training resolution in pixels; null: 768 for v-prediction (SD 2) files, else 512, as diffusers.</summary>
    public int? ImageSize { get; init; }

    /// <summary><c>epsilon</c> or <c>v_prediction</c>; null: v_prediction when the config says so (SD 2), else epsilon.</summary>
    public string? PredictionType { get; init; }

    /// <summary>A diffusers pipeline folder whose <c>unet</c>, <c>vae</c>, <c>text_encoder</c> and <c>scheduler</c> configs
    /// replace the derived ones where present (the LDM layout does not record e.g. GroupNorm group counts).</summary>
    public string? ConfigFolder { get; init; }
}
