using Penumbra.Imaging;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// Text-to-image for several (prompt, seed) requests in one batch through a <see cref="StableDiffusionPipeline"/>'s own
/// pieces (EncodePrompt, InitialLatents, PredictNoise, DecodeLatents): every request has its own CPU generator seeded
/// with its seed and its own scheduler instance, so its initial noise and the noise of stochastic schedulers (DDPM,
/// Euler a) are exactly those of a separate <c>Generate</c> call with that seed and N images per prompt; only the
/// UNet runs batched, which changes results by float rounding at most.
/// </summary>
public static class BatchedGeneration
{
    public static IReadOnlyList<IReadOnlyList<RgbImage>> Generate(StableDiffusionPipeline pipe, IReadOnlyList<(string Prompt, long Seed)> requests,
        int imagesPerPrompt, int steps, double guidanceScale, string? scheduler, CancellationToken ct)
    {
        if (requests.Count == 0) return Array.Empty<IReadOnlyList<RgbImage>>();
        if (imagesPerPrompt < 1) throw new ArgumentException($"images per prompt must be at least 1, got {imagesPerPrompt}");
        if (steps < 1) throw new ArgumentException($"steps must be at least 1, got {steps}");
        bool guidance = guidanceScale > 1.0;
        int n = imagesPerPrompt;
        var schedulers = requests.Select(_ => pipe.CreateScheduler(scheduler)).ToList();
        try
        {
            using var inference = inference_mode();
            using var scope = NewDisposeScope();
            using var embeds = pipe.EncodePrompt(requests.Select(r => r.Prompt).ToList(), null, n, guidance);
            var context = embeds.ForGuidance();
            foreach (var s in schedulers) s.SetTimesteps(steps, pipe.Device);
            var generators = requests.Select(r => new Generator((ulong)r.Seed)).ToList();
            var shape = new[] { (long)n, pipe.Unet.Config.InChannels, pipe.DefaultHeight / pipe.VaeScaleFactor, pipe.DefaultWidth / pipe.VaeScaleFactor };
            var latents = cat(requests.Select((_, i) => pipe.InitialLatents(null, shape, generators[i]) * schedulers[i].InitNoiseSigma).ToArray(), 0);
            var timesteps = schedulers[0].Timesteps.cpu().to(ScalarType.Float64).data<double>().ToArray();
            for (int step = 0; step < timesteps.Length; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var stepScope = NewDisposeScope();
                double t = timesteps[step];
                var noise = pipe.PredictNoise(latents, t, context, guidanceScale, guidance, schedulers[0], step, timesteps.Length);
                var next = cat(requests.Select((_, i) =>
                    schedulers[i].Step(noise.narrow(0, i * n, n), t, latents.narrow(0, i * n, n), generators[i]).PrevSample).ToArray(), 0);
                latents = next.MoveToOuterDisposeScope();
            }
            var images = StableDiffusionPipeline.ToImages(pipe.DecodeLatents(latents));
            return requests.Select((_, i) => (IReadOnlyList<RgbImage>)images.Skip(i * n).Take(n).ToArray()).ToList();
        }
        finally
        {
            foreach (var s in schedulers) s.Dispose();
        }
    }
}
