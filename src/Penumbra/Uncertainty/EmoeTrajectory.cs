using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>
/// The prompts' normal MoE trajectory from the seed's initial latent (one draw [1,C,h,w] from a CPU generator seeded with
/// <see cref="EmoeOptions.Seed"/>, shared by every prompt, as when a prompt is generated alone) up to
/// <see cref="EmoeOptions.StepIndex"/>. Each prompt is routed on its own ([uncond, cond] of a prompt together, as segmoe
/// routes one prompt's guided batch). The noise predictions are kept so <see cref="Replay"/> can rebuild a fresh scheduler
/// and generator in exactly the state of step k (needed to take one more step per path for <see cref="EmoeLatent.Z"/>).
/// </summary>
internal sealed class EmoeTrajectory : IDisposable
{
    private readonly SegMoePipeline _moe;
    private readonly EmoeOptions _options;
    private readonly int _prompts;
    private readonly List<Tensor> _predictions = new();

    private EmoeTrajectory(SegMoePipeline moe, EmoeOptions options, int prompts)
    {
        _moe = moe;
        _options = options;
        _prompts = prompts;
    }

    /// <summary>The schedule's timesteps.</summary>
    public double[] Timesteps { get; private set; } = Array.Empty<double>();

    /// <summary>The timestep the score is taken at.</summary>
    public double Timestep => Timesteps[_options.StepIndex];

    /// <summary>The latents at the score's step (unscaled): [1,...] at step 0 (every prompt's initial latent), else [n,...].</summary>
    public Tensor Latents { get; private set; } = null!;

    /// <summary>A fresh scheduler at the score's step (the one the trajectory ran on; dispose it with the trajectory).</summary>
    public IScheduler Scheduler { get; private set; } = null!;

    public static EmoeTrajectory Run(SegMoePipeline moe, PromptEmbeddings embeds, EmoeOptions options)
    {
        int n = (int)embeds.Conditional.shape[0];
        if (options.NumInferenceSteps < 1) throw new ArgumentException($"EMoE needs at least 1 step, got {options.NumInferenceSteps}", nameof(options));
        if (options.StepIndex < 0 || options.StepIndex >= options.NumInferenceSteps)
            throw new ArgumentException($"step index {options.StepIndex} is outside the {options.NumInferenceSteps}-step schedule (0..{options.NumInferenceSteps - 1})", nameof(options));
        var trajectory = new EmoeTrajectory(moe, options, n);
        var (scheduler, generator, latents) = trajectory.Start();
        using var _ = generator;
        bool guidance = options.GuidanceScale > 1.0 && embeds.Unconditional is not null;
        var context = embeds.ForGuidance(); // the conditional embeddings themselves without guidance: the caller's scope owns it
        var groups = Enumerable.Range(0, guidance ? 2 * n : n).Select(r => r % n).ToArray();
        using (moe.Model.Routing.Use(MoeRoute.Grouped(groups)))
            for (int j = 0; j < options.StepIndex; j++)
            {
                using var step = NewDisposeScope();
                var rows = PerPrompt(latents, n);
                var eps = moe.Pipeline.PredictNoise(rows, trajectory.Timesteps[j], context, options.GuidanceScale, guidance, scheduler, j,
                    options.NumInferenceSteps);
                var next = scheduler.Step(eps, trajectory.Timesteps[j], rows, generator).PrevSample;
                trajectory._predictions.Add(eps.MoveToOuterDisposeScope());
                latents.Dispose();
                latents = next.MoveToOuterDisposeScope();
            }
        trajectory.Latents = latents;
        trajectory.Scheduler = scheduler;
        return trajectory;
    }

    /// <summary>The model input at the score's step for <paramref name="rowsPerPrompt"/> rows per prompt (prompt-major).</summary>
    public Tensor ModelInput(int rowsPerPrompt)
    {
        using var scope = NewDisposeScope();
        var rows = Latents.shape[0] == 1 ? Latents.expand(_prompts * rowsPerPrompt, -1, -1, -1)
            : Latents.repeat_interleave(rowsPerPrompt, dim: 0);
        return scope.MoveToOuter(Scheduler.ScaleModelInput(rows.contiguous(), Timestep));
    }

    /// <summary>A fresh scheduler and generator in the state of the score's step, and the latents [n,...] there.</summary>
    public (IScheduler Scheduler, Generator Generator, Tensor Latents) Replay()
    {
        var (scheduler, generator, latents) = Start();
        for (int j = 0; j < _predictions.Count; j++)
        {
            using var step = NewDisposeScope();
            var next = scheduler.Step(_predictions[j], Timesteps[j], PerPrompt(latents, _prompts), generator).PrevSample;
            latents.Dispose();
            latents = next.MoveToOuterDisposeScope();
        }
        return (scheduler, generator, PerPrompt(latents, _prompts));
    }

    private (IScheduler, Generator, Tensor) Start()
    {
        var pipe = _moe.Pipeline;
        var scheduler = pipe.CreateScheduler();
        scheduler.SetTimesteps(_options.NumInferenceSteps);
        Timesteps = scheduler.Timesteps.cpu().to(ScalarType.Float64).data<double>().ToArray();
        var generator = new Generator((ulong)_options.Seed, CPU);
        using var noise = pipe.InitialLatents(null, _options.LatentShape(pipe), generator);
        return (scheduler, generator, noise * scheduler.InitNoiseSigma);
    }

    private static Tensor PerPrompt(Tensor latents, int n) =>
        latents.shape[0] == n ? latents : latents.expand(n, -1, -1, -1).contiguous();

    public void Dispose()
    {
        foreach (var p in _predictions) p.Dispose();
        Latents?.Dispose();
        Scheduler?.Dispose();
    }
}
