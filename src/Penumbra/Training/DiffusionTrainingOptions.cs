namespace Penumbra.Training;

/// <summary>Settings of noise-prediction training (ε-MSE, DDPM forward process, AdamW).</summary>
public sealed record DiffusionTrainingOptions
{
    public int Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-2;

    /// <summary>Linear warm-up steps, then cosine decay to 10% of the learning rate.</summary>
    public int WarmupSteps { get; init; } = 100;

    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Fraction of captions replaced by "" so the model also learns the unconditional prediction (for guidance).</summary>
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>All randomness of step k comes from generators seeded with (Seed, k), so a resumed run equals an uninterrupted one.</summary>
    public long Seed { get; init; }

    /// <summary>Folder for resumable checkpoints (null: none).</summary>
    public string? CheckpointDirectory { get; init; }

    public int CheckpointEvery { get; init; } = 250;

    /// <summary>Decay of an exponential moving average of the weights that becomes the trained model (null: no EMA,
    /// the last iterate is the model).</summary>
    public double? EmaDecay { get; init; }
}
