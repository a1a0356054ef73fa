namespace Penumbra.Classifiers;

/// <summary>
/// How <see cref="ToyShapeCnnTraining"/> trains a toy shape classifier. <see cref="SpuriousRate"/> is P(gray | circle)
/// = P(black | square) of the training data (0.5 = the clean version, no correlation); <see cref="Degradation"/> scales
/// the blur/noise augmentation of the training images (0 = clean renders; 1 = blur up to 1.2 px, noise up to 0.15).
/// </summary>
public sealed record ToyShapeCnnTrainingOptions
{
    public int Seed { get; init; }
    public double SpuriousRate { get; init; } = 0.95;
    public int TrainSize { get; init; } = 4000;
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-3;
    public double WeightDecay { get; init; } = 1e-2;
    public double Degradation { get; init; }
    public ToyShapeCnnConfig Model { get; init; } = new();
}
