using static TorchSharp.torch;

namespace Penumbra.Pipelines.StableDiffusion;

/// <summary>Progress of the denoising loop: step index (0-based), step count, timestep, and the current latents
/// (valid only during the callback).</summary>
public sealed record StepInfo(int Step, int TotalSteps, double Timestep, Tensor Latents);
