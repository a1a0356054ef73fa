namespace Penumbra.Training;

/// <summary>A training step produced a non-finite gradient. The step is not applied, so the weights in memory and
/// the last checkpoint stay finite; resuming repeats the step from that checkpoint.</summary>
public sealed class TrainingDivergedException(int step, double loss, string? checkpointDirectory)
    : Exception($"training step {step}: non-finite gradient (loss {loss}); the update was not applied" +
                (checkpointDirectory is null ? "" : $", the last checkpoint in {checkpointDirectory} is kept") +
                " (if the loss was finite, suspect the CPU kernels: see Penumbra.Runtime.OneDnnWorkaround).")
{
    public int Step { get; } = step;
    public double Loss { get; } = loss;
}
