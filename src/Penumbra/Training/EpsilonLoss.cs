using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Training;

/// <summary>
/// The ε-prediction loss of DDPM (Ho et al. 2020, Eq. 14) for one batch: t ~ U{0..T−1}, ε ~ N(0, I) (in that order, from
/// <c>generator</c>), x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε (the scheduler's <c>AddNoise</c>), loss = mean ‖ε − ε_θ(x_t, t, c)‖².
/// Shared by every trainer (UNet training, text-encoder adapters).
/// </summary>
public static class EpsilonLoss
{
    public static Tensor Compute(UNet2DConditionModel unet, IScheduler noise, Tensor samples, Tensor context, Generator generator)
    {
        long n = samples.shape[0];
        int trainSteps = (int)noise.Config.NumTrainTimesteps;
        var t = randint(0, trainSteps, new[] { n }, ScalarType.Int64, generator: generator);
        var eps = randn(samples.shape, samples.dtype, generator: generator);
        var xt = noise.AddNoise(samples, eps, t);
        var pred = unet.call(xt, t, context);
        return nn.functional.mse_loss(pred, eps);
    }

    /// <summary>Linear warm-up over <see cref="DiffusionTrainingOptions.WarmupSteps"/>, then cosine decay from the base
    /// rate to 10% of it at the last step.</summary>
    public static double LearningRateAt(DiffusionTrainingOptions o, int step)
    {
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        double progress = (double)(step - o.WarmupSteps) / Math.Max(1, o.Steps - o.WarmupSteps);
        return o.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
