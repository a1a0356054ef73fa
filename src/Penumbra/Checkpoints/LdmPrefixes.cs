namespace Penumbra.Checkpoints;

/// <summary>Key prefixes of an original (CompVis / A1111 / CivitAI) single-file checkpoint, and the keys every loader
/// ignores because they have no diffusers counterpart.</summary>
public static class LdmPrefixes
{
    public const string UNet = "model.diffusion_model.";
    public const string Vae = "first_stage_model.";
    public const string Clip = "cond_stage_model.transformer.";
    public const string OpenClip = "cond_stage_model.model.";
    public const string Ema = "model_ema.";
    public const string SdxlConditioner = "conditioner.embedders.";

    /// <summary>The DDPM schedule buffers of <c>LatentDiffusion</c> (each [timesteps]) and SD 2's <c>logvar</c>.</summary>
    public static readonly IReadOnlySet<string> ScheduleBuffers = new HashSet<string>(StringComparer.Ordinal)
    {
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar",
    };

    /// <summary>The non-persistent <c>position_ids</c> buffer many SD 1 files carry (transformers drops it on load).</summary>
    public const string ClipPositionIds = Clip + "text_model.embeddings.position_ids";

    /// <summary>The EMA name diffusers reads for a UNet key: <c>model_ema.</c> + the key without its first segment and
    /// without dots (<c>model.diffusion_model.input_blocks.0.0.weight</c> → <c>model_ema.diffusion_modelinput_blocks00weight</c>).</summary>
    public static string EmaKey(string unetKeyWithoutPrefix) => Ema + "diffusion_model" + unetKeyWithoutPrefix.Replace(".", "");
}
