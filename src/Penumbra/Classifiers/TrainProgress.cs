namespace Penumbra.Classifiers;

/// <summary>Progress of <see cref="ClassifierTrainer.Train"/>: after each batch, the epoch, step, total steps and the batch loss.</summary>
public sealed record TrainProgress(int Epoch, int Step, int TotalSteps, double Loss);
