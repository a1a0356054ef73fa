namespace Penumbra.Uncertainty;

/// <summary>EMoE settings (shared/methods/emoe.md defaults). <see cref="SplitBlock"/> is a transformer block path whose
/// <c>attn2.to_q/k/v</c> are the split; null = the first transformer block with cross-attention MoE layers.</summary>
public sealed record EmoeOptions
{
    public string? SplitBlock { get; init; }
    public EmoeMode Mode { get; init; } = EmoeMode.Expert;
    public EmoeLatent Latent { get; init; } = EmoeLatent.MPost;
    /// <summary>Steps of the schedule (the model's scheduler) the score is taken on.</summary>
    public int NumInferenceSteps { get; init; } = 25;
    /// <summary>The step whose timestep the score is taken at (0 = the first). For a later step the prompt's normal MoE
    /// trajectory (with <see cref="GuidanceScale"/>) is run from the initial latent up to it first.</summary>
    public int StepIndex { get; init; }
    /// <summary>Classifier-free guidance of the steps before <see cref="StepIndex"/> and of the noise predictions behind
    /// <see cref="EmoeLatent.Z"/>; 1 = off (the spec's default). The mid-block latents use the conditional rows only.</summary>
    public double GuidanceScale { get; init; } = 1.0;
    public long Seed { get; init; }
    /// <summary>Image size the score is taken at (the initial latent is height/8 × width/8 for a latent model); null = the
    /// model's default size, as in generation.</summary>
    public int? Height { get; init; }
    public int? Width { get; init; }
    /// <summary>Population variance (1/M) when true, sample variance (1/(M-1)) otherwise.</summary>
    public bool PopulationVariance { get; init; } = true;
    /// <summary>The experts whose paths are compared, in path order (at least 2, distinct); null = all experts.</summary>
    public IReadOnlyList<int>? Experts { get; init; }

    /// <summary>A short description for reports, e.g. <c>expert mode, m_post, step 0 of 25</c>.</summary>
    public string Describe() =>
        $"{Mode.ToString().ToLowerInvariant()} mode, {LatentName(Latent)}, step {StepIndex} of {NumInferenceSteps}" +
        (GuidanceScale > 1 ? $", guidance {GuidanceScale:G3}" : "");

    /// <summary>The latent named m_post, m_pre or z (any case); null for anything else.</summary>
    public static EmoeLatent? ParseLatent(string text) => text.ToLowerInvariant() switch
    {
        "m_post" => EmoeLatent.MPost,
        "m_pre" => EmoeLatent.MPre,
        "z" => EmoeLatent.Z,
        _ => null,
    };

    /// <summary>The initial latent's shape [1, C, h, w] for <paramref name="pipe"/> at this size (checked like generation's).</summary>
    public long[] LatentShape(Pipelines.StableDiffusion.StableDiffusionPipeline pipe)
    {
        int height = Height ?? pipe.DefaultHeight, width = Width ?? pipe.DefaultWidth;
        if (height <= 0 || width <= 0 || height % pipe.VaeScaleFactor != 0 || width % pipe.VaeScaleFactor != 0)
            throw new ArgumentException($"EMoE image size {width}x{height} must be positive multiples of {pipe.VaeScaleFactor}");
        return new long[] { 1, pipe.Unet.Config.InChannels, height / pipe.VaeScaleFactor, width / pipe.VaeScaleFactor };
    }

    public static string LatentName(EmoeLatent latent) => latent switch
    {
        EmoeLatent.MPost => "m_post",
        EmoeLatent.MPre => "m_pre",
        _ => "z",
    };
}
