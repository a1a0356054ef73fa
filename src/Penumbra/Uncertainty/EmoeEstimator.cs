using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using static TorchSharp.torch;

namespace Penumbra.Uncertainty;

/// <summary>EMoE (arXiv 2505.13273): at the first denoising step, M paths split at a cross-attention MoE layer
/// (path i uses expert i's to_q/to_k/to_v there), run as one batch of M rows up to the mid block; EU is the mean over
/// all dimensions of the variance across paths of the mid-block output.</summary>
public sealed class EmoeEstimator
{
    private readonly SegMoePipeline _moe;

    public EmoeEstimator(SegMoePipeline moe) => _moe = moe;

    public int NumPaths => _moe.Model.NumExperts;

    public SegMoePipeline Moe => _moe;

    /// <summary>The expert of each path: <see cref="EmoeOptions.Experts"/> checked against the model, or all experts.</summary>
    public int[] PathExperts(EmoeOptions options)
    {
        if (options.Experts is null) return Enumerable.Range(0, NumPaths).ToArray();
        var experts = options.Experts.ToArray();
        if (experts.Length < 2) throw new ArgumentException($"EMoE needs at least 2 experts, got {experts.Length}", nameof(options));
        foreach (var e in experts)
            if (e < 0 || e >= NumPaths) throw new ArgumentException($"expert {e} is not in the model (0..{NumPaths - 1})", nameof(options));
        if (experts.Distinct().Count() != experts.Length)
            throw new ArgumentException($"experts [{string.Join(",", experts)}] repeat an expert", nameof(options));
        return experts;
    }

    /// <summary>The split transformer block: the given one, or the first with cross-attention MoE layers.</summary>
    public string SplitBlock(EmoeOptions options)
    {
        var slots = _moe.Model.Slots;
        if (options.SplitBlock is { } given)
        {
            if (!slots.Any(s => s.TransformerBlock == given && IsCross(s.Kind)))
                throw new ArgumentException($"split block '{given}' has no cross-attention MoE layers", nameof(options));
            return given;
        }
        return slots.FirstOrDefault(s => IsCross(s.Kind))?.TransformerBlock
            ?? throw new InvalidOperationException("the model has no cross-attention MoE layers to split at");
    }

    public EmoeResult Score(string prompt, EmoeOptions options) => Score(new[] { prompt }, options)[0];

    /// <summary>Scores the prompts in one batch of M rows per prompt (every prompt with the same seed; one prompt at a time
    /// for a later step or <see cref="EmoeLatent.Z"/>).</summary>
    public IReadOnlyList<EmoeResult> Score(IReadOnlyList<string> prompts, EmoeOptions options)
    {
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        var experts = PathExperts(options);
        int m = experts.Length, n = prompts.Count;
        // A later step or z draws scheduler noise per step: each prompt runs alone, so its trajectory and z are the ones it
        // has when generated alone (a batch would hand it another slice of the generator's stream).
        if (n > 1 && (options.StepIndex > 0 || options.Latent == EmoeLatent.Z))
            return prompts.SelectMany(p => Score(new[] { p }, options)).ToList();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        bool guidance = options.GuidanceScale > 1.0;
        using var embeds = _moe.Pipeline.EncodePrompt(prompts, null, guidance: guidance);
        using var trajectory = EmoeTrajectory.Run(_moe, embeds, options);
        double t = trajectory.Timestep;
        var text = embeds.Conditional;
        var entropy = RouterEntropy(trajectory.ModelInput(1), t, text);

        int paths = n * m;
        var rows = trajectory.ModelInput(m);
        var pathExperts = Enumerable.Range(0, paths).Select(r => experts[r % m]).ToArray();
        Tensor latents;
        if (options.Latent == EmoeLatent.Z)
        {
            // Path rows (and, with guidance, their unconditional twins, routed together with them) through the whole UNet.
            bool guided = guidance && embeds.Unconditional is not null;
            int total = guided ? 2 * paths : paths;
            var input = guided ? cat(new[] { rows, rows }, 0) : rows;
            var cond = text.repeat_interleave(m, dim: 0);
            var context = guided ? cat(new[] { embeds.Unconditional!.repeat_interleave(m, dim: 0), cond }, 0) : cond;
            var rowExperts = Enumerable.Range(0, total).Select(r => pathExperts[r % paths]).ToArray();
            var groups = Enumerable.Range(0, total).Select(r => r % paths).ToArray();
            Tensor eps;
            using (UsePathRoutes(options, forced => forced ? MoeRoute.Forced(rowExperts) : MoeRoute.Grouped(groups)))
                eps = _moe.Model.Unet.Forward(input, t, context);
            if (guided) eps = StableDiffusionPipeline.Guide(eps, options.GuidanceScale);
            latents = StepEachPath(trajectory, eps, n, m);
        }
        else
        {
            using var routes = UsePathRoutes(options, forced => forced ? MoeRoute.Forced(pathExperts) : MoeRoute.EachRow);
            latents = MidBlockLatent(rows, t, text.repeat_interleave(m, dim: 0), options.Latent);
        }
        return Results(prompts, options, latents, m, t, entropy, embeds.TokenCounts);
    }

    /// <summary>EU + image (issue 6): the prompt's normal MoE image from the seed, with EMoE's M path rows riding along in the
    /// image's first UNet call (one batch [image rows, path rows]; the path rows stop after the mid block), so the text
    /// encoding, the initial latent and that call are shared. Needs the score at the first step with a mid-block latent and
    /// no denoising modifier on the pipeline; otherwise the score and a normal generation run one after the other.</summary>
    public (EmoeResult Result, Imaging.RgbImage Image) ScoreWithImage(string prompt, EmoeOptions options, double guidanceScale,
        CancellationToken ct = default)
    {
        var pipe = _moe.Pipeline;
        if (options.StepIndex != 0 || options.Latent == EmoeLatent.Z || pipe.Modifier is not null)
        {
            var alone = Score(prompt, options);
            return (alone, EmoeAnalyzer.GenerateImage(pipe, prompt, options, guidanceScale, ct));
        }
        var experts = PathExperts(options);
        int m = experts.Length;
        bool guidance = guidanceScale > 1.0;
        int imageRows = guidance ? 2 : 1;
        using var inference = no_grad();
        using var scope = NewDisposeScope();
        using var embeds = pipe.EncodePrompt(new[] { prompt }, null, guidance: guidance);
        using var scheduler = pipe.CreateScheduler();
        scheduler.SetTimesteps(options.NumInferenceSteps, pipe.Device);
        var timesteps = scheduler.Timesteps.cpu().to(ScalarType.Float64).data<double>().ToArray();
        using var generator = new Generator((ulong)options.Seed);
        var shape = options.LatentShape(pipe);
        var latents = pipe.InitialLatents(null, shape, generator) * scheduler.InitNoiseSigma;
        double t = timesteps[0];
        var entropy = RouterEntropy(scheduler.ScaleModelInput(latents, t), t, embeds.Conditional);

        using var context = embeds.ForGuidance();
        var input = scheduler.ScaleModelInput(latents.expand(imageRows + m, -1, -1, -1).contiguous(), t);
        var batchContext = cat(new[] { context, embeds.Conditional.expand(m, -1, -1) }, 0);
        var routing = _moe.Model.Routing;
        var imageRoutes = _moe.Model.Slots.ToDictionary(s => s.Path, s => routing.For(s.Path));
        Tensor eps, mid;
        Tensor? pre = null;
        using (UsePathRoutes(options, (path, forced) => MoeRoute.Stack((imageRoutes[path], imageRows), (forced ? MoeRoute.Forced(experts) : MoeRoute.EachRow, m))))
        using (var taps = options.Latent == EmoeLatent.MPre ? new Models.Common.ModuleTaps(_moe.Model.Unet) : null)
        {
            taps?.Observe("mid_block", e => pre = e.Input!.narrow(0, imageRows, m).clone().DetachFromDisposeScope());
            using var tt = tensor(t, ScalarType.Float64, input.device);
            (eps, mid) = _moe.Model.Unet.ForwardWithMidBlock(input, tt, batchContext, imageRows);
        }
        var pathLatents = pre is null ? mid.narrow(0, imageRows, m) : pre.MoveToOuterDisposeScope();
        if (guidance) eps = StableDiffusionPipeline.Guide(eps, guidanceScale);
        var next = scheduler.Step(eps, t, latents, generator).PrevSample;
        var generation = new GenerationOptions
        {
            Prompts = new[] { prompt }, Steps = options.NumInferenceSteps, GuidanceScale = guidanceScale, CancellationToken = ct,
            Height = options.Height, Width = options.Width,
        };
        var final = pipe.Denoise(next, timesteps.Skip(1).ToArray(), context, generation, scheduler, generator);
        var image = StableDiffusionPipeline.ToImages(pipe.DecodeLatents(final))[0];
        return (Results(new[] { prompt }, options, pathLatents, m, t, entropy, embeds.TokenCounts)[0], image);
    }

    /// <summary>The latent of <paramref name="rows"/> at the mid block (output, or input for <see cref="EmoeLatent.MPre"/>).</summary>
    private Tensor MidBlockLatent(Tensor rows, double t, Tensor context, EmoeLatent latent)
    {
        using var tt = tensor(t, ScalarType.Float64, rows.device);
        if (latent == EmoeLatent.MPost) return _moe.Model.Unet.ForwardToMidBlock(rows, tt, context);
        Tensor? pre = null;
        using (var taps = new Models.Common.ModuleTaps(_moe.Model.Unet))
        {
            taps.Observe("mid_block", e => pre = e.Input!.clone().DetachFromDisposeScope());
            using var mid = _moe.Model.Unet.ForwardToMidBlock(rows, tt, context);
        }
        return pre!.MoveToOuterDisposeScope();
    }

    /// <summary>z of every path: for path j, a fresh scheduler in the state of the score's step takes one step with that path's
    /// noise prediction, its generator in the same state for every path (an ancestral step adds the same noise to all paths,
    /// so it adds nothing to their variance). Rows prompt-major, [n·M, C, h, w].</summary>
    private static Tensor StepEachPath(EmoeTrajectory trajectory, Tensor eps, int n, int m)
    {
        using var scope = NewDisposeScope();
        var perPrompt = eps.reshape(n, m, eps.shape[1], eps.shape[2], eps.shape[3]);
        var steps = new List<Tensor>();
        for (int j = 0; j < m; j++)
        {
            var (scheduler, generator, latents) = trajectory.Replay();
            using (scheduler)
            using (generator)
                steps.Add(scheduler.Step(perPrompt[.., j].contiguous(), trajectory.Timestep, latents, generator).PrevSample);
        }
        return scope.MoveToOuter(stack(steps, 1).reshape(eps.shape));
    }

    private static List<EmoeResult> Results(IReadOnlyList<string> prompts, EmoeOptions options, Tensor latents, int m, double t,
        double[] entropy, int[] tokenCounts)
    {
        int n = prompts.Count;
        var perPrompt = latents.reshape(n, m, latents.shape[1], latents.shape[2], latents.shape[3]);
        using var variance = perPrompt.to(ScalarType.Float64).var(new long[] { 1 }, unbiased: !options.PopulationVariance);
        var results = new List<EmoeResult>();
        for (int i = 0; i < n; i++)
        {
            double eu = variance[i].mean().item<double>();
            var map = variance[i].mean(new long[] { 0 }).MoveToOuterDisposeScope();
            var paths = perPrompt[i].clone().MoveToOuterDisposeScope();
            results.Add(new EmoeResult(prompts[i], options.Seed, options.Mode, t, eu, map, paths, entropy[i], tokenCounts[i], options.Latent));
        }
        return results;
    }

    /// <summary>Sets every MoE slot's route for the path rows until disposed: the slots before the split (and, in routed mode,
    /// after it) get <paramref name="route"/>(path, false), the split's cross-attention slots (and, in expert mode, every later
    /// slot) <paramref name="route"/>(path, true).</summary>
    private IDisposable UsePathRoutes(EmoeOptions options, Func<string, bool, MoeRoute> route)
    {
        var model = _moe.Model;
        var routing = model.Routing;
        var saved = (routing.Default, routing.Overrides.ToArray());
        var split = SplitBlock(options);
        var order = model.Slots.Select(s => s.TransformerBlock).Distinct().ToList();
        int splitIndex = order.IndexOf(split);
        foreach (var slot in model.Slots)
        {
            int b = order.IndexOf(slot.TransformerBlock);
            bool pre = b < splitIndex || (b == splitIndex && IsSelf(slot.Kind));
            bool atSplit = b == splitIndex && IsCross(slot.Kind);
            routing.Set(slot.Path, route(slot.Path, !pre && (atSplit || options.Mode == EmoeMode.Expert)));
        }
        return new Restore(() =>
        {
            routing.Default = saved.Default;
            foreach (var slot in model.Slots) routing.Set(slot.Path, null);
            foreach (var (path, r) in saved.Item2) routing.Set(path, r);
        });
    }

    private IDisposable UsePathRoutes(EmoeOptions options, Func<bool, MoeRoute> route) => UsePathRoutes(options, (_, forced) => route(forced));

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    /// <summary>Seed-variance baseline: the mean over dimensions of the variance of <c>m_post</c> across
    /// <paramref name="samples"/> initial latents (one draw of [K, C, h, w] from a CPU generator seeded with
    /// <see cref="EmoeOptions.Seed"/>, so the first is the latent EU is scored on) with normal routing per row, at the same
    /// timestep; all prompts in one batch of n·K rows.</summary>
    public double[] SeedVariance(IReadOnlyList<string> prompts, EmoeOptions options, int samples = 4)
    {
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        if (samples < 2) throw new ArgumentException($"seed variance needs at least 2 initial latents, got {samples}", nameof(samples));
        var pipe = _moe.Pipeline;
        int n = prompts.Count;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var embeds = pipe.EncodePrompt(prompts, null, guidance: false);
        var (latents, t) = FirstStepInput(options, samples);
        var rows = latents.repeat(n, 1, 1, 1);
        var cond = embeds.Conditional.repeat_interleave(samples, dim: 0);
        using var _ = _moe.Model.Routing.Use(MoeRoute.EachRow);
        var mid = _moe.Model.Unet.ForwardToMidBlock(rows, tensor(t, ScalarType.Float64, rows.device), cond);
        var perPrompt = mid.reshape(n, samples, -1).to(ScalarType.Float64);
        var variance = perPrompt.var(new long[] { 1 }, unbiased: !options.PopulationVariance).mean(new long[] { 1 });
        return variance.cpu().data<double>().ToArray();
    }

    /// <summary>The first timestep of the options' schedule and <paramref name="count"/> initial latents scaled as the model
    /// input there (drawn as in generation: a CPU generator seeded with <see cref="EmoeOptions.Seed"/>).</summary>
    private (Tensor Sample, double Timestep) FirstStepInput(EmoeOptions options, int count = 1)
    {
        using var scheduler = _moe.Pipeline.CreateScheduler();
        scheduler.SetTimesteps(options.NumInferenceSteps);
        double t = scheduler.Timesteps[0].to(ScalarType.Float64).item<double>();
        var shape = options.LatentShape(_moe.Pipeline);
        shape[0] = count;
        var noise = _moe.Pipeline.InitialLatents(null, shape, new Generator((ulong)options.Seed, CPU));
        return (scheduler.ScaleModelInput(noise * scheduler.InitNoiseSigma, t), t);
    }

    /// <summary>Mean over MoE layers and tokens of the gate-softmax entropy, normal routing per prompt row.</summary>
    private double[] RouterEntropy(Tensor sample, double t, Tensor text)
    {
        var routing = _moe.Model.Routing;
        int n = (int)sample.shape[0];
        var sums = new List<double>[n];
        for (int i = 0; i < n; i++) sums[i] = new List<double>();
        var (oldCapture, oldCall) = (routing.CaptureProbabilities, routing.OnCall);
        routing.CaptureProbabilities = true;
        routing.OnCall = call =>
        {
            for (int i = 0; i < n; i++)
                using (var row = call.GateProbabilities!.reshape(n, -1, call.GateProbabilities.shape[^1])[i])
                    sums[i].Add((call with { GateProbabilities = row }).MeanGateEntropy());
        };
        try
        {
            using var _ = routing.Use(MoeRoute.EachRow);
            using var output = _moe.Model.Unet.ForwardToMidBlock(sample, tensor(t, ScalarType.Float64, sample.device), text);
        }
        finally
        {
            routing.CaptureProbabilities = oldCapture;
            routing.OnCall = oldCall;
        }
        return sums.Select(s => s.Count == 0 ? double.NaN : s.Average()).ToArray();
    }

    private static bool IsCross(MoeModuleKind k) => k is MoeModuleKind.CrossQuery or MoeModuleKind.CrossKey or MoeModuleKind.CrossValue;

    private static bool IsSelf(MoeModuleKind k) => k is MoeModuleKind.SelfQuery or MoeModuleKind.SelfKey or MoeModuleKind.SelfValue;
}
