using static TorchSharp.torch;

namespace Penumbra.Schedulers;

/// <summary>
/// A diffusion sampler with diffusers 0.25 semantics: <c>SetTimesteps</c>, then per entry t of <see cref="Timesteps"/>:
/// <c>ScaleModelInput(sample, t)</c> before the model, <c>Step(modelOutput, t, sample)</c> after it. Schedulers keep
/// a step index and multistep history, so use one instance per generation (call <see cref="SetTimesteps"/> to reset);
/// disposing releases the schedule tensors.
/// </summary>
public interface IScheduler : IDisposable
{
    /// <summary>The resolved config (class defaults filled in, <c>_class_name</c> = the diffusers class).</summary>
    SchedulerConfig Config { get; }

    /// <summary>Model evaluations per step of the underlying solver (2 for Heun, else 1), as diffusers' <c>order</c>.</summary>
    int Order { get; }

    /// <summary>Standard deviation of the initial noise: latents are <c>randn * InitNoiseSigma</c>.</summary>
    double InitNoiseSigma { get; }

    /// <summary>The timesteps of the sampling loop (int64 for DDIM / PNDM / DDPM / DPM-Solver, float for the Euler family).</summary>
    Tensor Timesteps { get; }

    /// <summary>The noise levels per timestep plus the final one (Euler family, LMS, Heun, DPM-Solver), else null.</summary>
    Tensor? Sigmas { get; }

    /// <summary>cumprod(1 - betas) over the training timesteps (float32, CPU).</summary>
    Tensor AlphasCumprod { get; }

    void SetTimesteps(int numInferenceSteps, Device? device = null);

    Tensor ScaleModelInput(Tensor sample, double timestep);

    /// <summary>One solver step; <paramref name="generator"/> feeds the noise of stochastic schedulers (the global RNG when null).</summary>
    SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, Generator? generator = null);

    /// <summary>Forward-diffuses <paramref name="originalSamples"/> to <paramref name="timesteps"/> (one per batch entry), as diffusers' <c>add_noise</c>.</summary>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);

    Tensor ScaleModelInput(Tensor sample, Tensor timestep) => ScaleModelInput(sample, TimestepValue(timestep));

    SchedulerOutput Step(Tensor modelOutput, Tensor timestep, Tensor sample, Generator? generator = null) =>
        Step(modelOutput, TimestepValue(timestep), sample, generator);

    /// <summary>The value of a one-element timestep tensor.</summary>
    static double TimestepValue(Tensor timestep)
    {
        if (timestep.numel() != 1) throw new ArgumentException($"timestep must have one element, got shape [{string.Join(",", timestep.shape)}]");
        using var c = timestep.detach().cpu().to(ScalarType.Float64);
        return c.reshape(1).data<double>()[0];
    }
}
