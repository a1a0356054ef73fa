namespace Penumbra.Training;

/// <summary>Progress of a training run: the step just finished (1-based), total steps, its loss and learning rate.</summary>
public sealed record TrainingStep(int Step, int TotalSteps, double Loss, double LearningRate);
