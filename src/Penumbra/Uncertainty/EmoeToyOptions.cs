namespace Penumbra.Uncertainty;

/// <summary>Settings of <see cref="EmoeToyEvaluation"/>: prompts per set, the seed of the caption sampler, the EMoE options
/// (their seed is also the seed of every generated image), the guidance of the images and the bootstrap.</summary>
public sealed record EmoeToyOptions
{
    public int PromptsPerSet { get; init; } = 40;
    public int DataSeed { get; init; } = 11;
    public EmoeOptions Emoe { get; init; } = new();
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>Generate the images and score them with the checker (needed for the Spearman correlation).</summary>
    public bool CheckImages { get; init; } = true;
    public int BootstrapResamples { get; init; } = 2000;
    public int BootstrapSeed { get; init; }
    public int BatchSize { get; init; } = 16;
    /// <summary>Initial latents every prompt is scored on (seeds <see cref="EmoeOptions.Seed"/> … + K − 1): EU, router entropy,
    /// seed variance and the path measures are their means over the K latents (one latent's EU varies by about a third of
    /// its value from seed to seed on the toy experts); images and the checker use the first.</summary>
    public int LatentSeeds { get; init; } = 1;
    /// <summary>The expert set the model was trained with: it decides which concepts count as seen by every expert.</summary>
    public Toy.Models.ToyExpertSet ExpertSet { get; init; } = Toy.Models.ToyExpertSet.Concepts;
}
