using Penumbra.MoE;
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

    /// <summary>Scores the prompts in one batch of M rows per prompt (every prompt with the same seed).</summary>
    public IReadOnlyList<EmoeResult> Score(IReadOnlyList<string> prompts, EmoeOptions options)
    {
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        var pipe = _moe.Pipeline;
        var model = _moe.Model;
        var experts = PathExperts(options);
        int m = experts.Length, n = prompts.Count;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var embeds = pipe.EncodePrompt(prompts, null, guidance: false);
        var (sample, t) = FirstStepInput(options);
        var text = embeds.Conditional;

        var entropy = RouterEntropy(sample.expand(n, -1, -1, -1), t, text);

        var split = SplitBlock(options);
        var order = model.Slots.Select(s => s.TransformerBlock).Distinct().ToList();
        int splitIndex = order.IndexOf(split);
        var pathExperts = Enumerable.Range(0, n * m).Select(r => experts[r % m]).ToArray();
        var forced = MoeRoute.Forced(pathExperts);
        var routing = model.Routing;
        var saved = (routing.Default, routing.Overrides.ToArray());
        try
        {
            routing.Default = MoeRoute.EachRow;
            foreach (var slot in model.Slots)
            {
                int b = order.IndexOf(slot.TransformerBlock);
                bool pre = b < splitIndex || (b == splitIndex && IsSelf(slot.Kind));
                bool atSplit = b == splitIndex && IsCross(slot.Kind);
                routing.Set(slot.Path, pre ? MoeRoute.EachRow
                    : atSplit || options.Mode == EmoeMode.Expert ? forced : MoeRoute.EachRow);
            }
            var rows = sample.expand(n * m, -1, -1, -1).contiguous();
            var cond = text.repeat_interleave(m, dim: 0);
            var mPost = model.Unet.ForwardToMidBlock(rows, tensor(t, ScalarType.Float64, rows.device), cond);
            var perPrompt = mPost.reshape(n, m, mPost.shape[1], mPost.shape[2], mPost.shape[3]);
            var variance = perPrompt.to(ScalarType.Float64).var(new long[] { 1 }, unbiased: !options.PopulationVariance);
            var results = new List<EmoeResult>();
            for (int i = 0; i < n; i++)
            {
                double eu = variance[i].mean().item<double>();
                var map = variance[i].mean(new long[] { 0 }).MoveToOuterDisposeScope();
                var paths = perPrompt[i].clone().MoveToOuterDisposeScope();
                results.Add(new EmoeResult(prompts[i], options.Seed, options.Mode, t, eu, map, paths, entropy[i], embeds.TokenCounts[i]));
            }
            return results;
        }
        finally
        {
            routing.Default = saved.Default;
            foreach (var slot in model.Slots) routing.Set(slot.Path, null);
            foreach (var (path, route) in saved.Item2) routing.Set(path, route);
        }
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
        return (scheduler.ScaleModelInput(FirstLatents(options.Seed, scheduler, count), t), t);
    }

    private Tensor FirstLatents(long seed, Schedulers.IScheduler scheduler, int count = 1)
    {
        var pipe = _moe.Pipeline;
        var config = _moe.Model.Unet.Config;
        long h = pipe.DefaultHeight / pipe.VaeScaleFactor, w = pipe.DefaultWidth / pipe.VaeScaleFactor;
        var generator = new Generator((ulong)seed, CPU);
        var noise = pipe.InitialLatents(null, new[] { (long)count, config.InChannels, h, w }, generator);
        return noise * scheduler.InitNoiseSigma;
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
