using Penumbra.Uncertainty;

namespace Penumbra.Audit.Scoring;

/// <summary>Settings of <see cref="EmoeScorer"/>: the EMoE estimate (mode, split block, schedule length) and, when
/// images are asked for, how they are generated (steps, guidance, scheduler; defaults as <c>penumbra generate</c>).</summary>
public sealed record EmoeScorerOptions
{
    public EmoeMode Mode { get; init; } = EmoeMode.Expert;
    public string? SplitBlock { get; init; }
    public EmoeLatent Latent { get; init; } = EmoeLatent.MPost;
    /// <summary>The step of the EMoE schedule the score is taken at (0 = the first).</summary>
    public int StepIndex { get; init; }
    /// <summary>Length of the schedule whose first timestep EMoE scores at.</summary>
    public int EmoeSteps { get; init; } = 25;
    public int ImageSteps { get; init; } = 25;
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>Scheduler name (ddim, euler_a, ...), null = the model's own.</summary>
    public string? Scheduler { get; init; }

    /// <summary>Initial latents of the seed-variance baseline (<c>seed_variance</c>); 0 = not computed (it costs K rows per
    /// prompt up to the mid block).</summary>
    public int SeedSamples { get; init; }

    /// <summary>Reference prompts of the embedding-distance baseline (<c>embedding_distance</c>); null = not computed.</summary>
    public IReadOnlyList<string>? ReferencePrompts { get; init; }
}
