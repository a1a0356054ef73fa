using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// Result of one <see cref="IScheduler.Step"/>: the sample at the previous timestep and, where the diffusers class
/// returns one (DDIM, DDPM, Euler, Euler ancestral, LMS), the predicted denoised sample x0.
/// </summary>
public sealed record SchedulerOutput(Tensor PrevSample, Tensor? PredOriginalSample = null);
