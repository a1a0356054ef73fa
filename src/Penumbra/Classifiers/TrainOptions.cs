namespace Penumbra.Classifiers;

/// <summary>
/// ERM training settings: optimizer <c>adamw</c> or <c>sgd</c> (with momentum), learning rate, weight decay, epochs,
/// batch size, seed (initialisation is the caller's; the seed drives shuffling and dropout), and optional
/// group-balanced reweighting (every group of the training set weighs the same in the loss).
/// </summary>
public sealed record TrainOptions
{
    public string Optimizer { get; init; } = "adamw";
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-4;
    public double Momentum { get; init; } = 0.9;
    public int Epochs { get; init; } = 5;
    public int BatchSize { get; init; } = 64;
    public int Seed { get; init; }
    public bool GroupBalanced { get; init; }
}
