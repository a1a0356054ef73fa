using Penumbra.Pipelines.StableDiffusion;

namespace Penumbra.Uncertainty;

/// <summary>EMoE with its baselines on the same run (issue 6): EU, map and paths of every prompt in one batch, router entropy
/// and token length from that run, seed variance in a second batch, embedding distance to a reference set, per-word
/// attribution (one batch per prompt: the prompt and its one-word-removed variants) and, in EU + image mode, the normal MoE
/// image from the same seed, i.e. the same initial latent, with the EU paths riding in its first UNet call
/// (<see cref="EmoeEstimator.ScoreWithImage"/>).</summary>
public sealed class EmoeAnalyzer
{
    private readonly EmoeEstimator _estimator;

    public EmoeAnalyzer(EmoeEstimator estimator) => _estimator = estimator;

    public IReadOnlyList<EmoeAnalysis> Analyze(IReadOnlyList<string> prompts, EmoeAnalysisOptions options, IProgress<int>? progress = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("at least one prompt is needed", nameof(prompts));
        var emoe = options.Emoe;
        var pipe = _estimator.Moe.Pipeline;
        IReadOnlyList<EmoeResult> results;
        IReadOnlyList<WordAttribution>?[] attributions = new IReadOnlyList<WordAttribution>?[prompts.Count];
        var images = new Imaging.RgbImage?[prompts.Count];
        if (options.WithImage && !options.Attribute)
        {
            var list = new List<EmoeResult>();
            for (int i = 0; i < prompts.Count; i++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                var (result, image) = _estimator.ScoreWithImage(prompts[i], emoe, options.GuidanceScale, options.CancellationToken);
                list.Add(result);
                images[i] = image;
            }
            results = list;
        }
        else if (options.Attribute)
        {
            var list = new List<EmoeResult>();
            for (int i = 0; i < prompts.Count; i++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                var (full, ranked) = EmoeAttribution.Attribute(_estimator, prompts[i], emoe);
                list.Add(full);
                attributions[i] = ranked;
            }
            results = list;
        }
        else results = _estimator.Score(prompts, emoe);
        var seedVariance = _estimator.SeedVariance(prompts, emoe, options.SeedSamples);
        using var empty = _estimator.Score("", emoe);
        double[]? distance = null;
        if (options.ReferencePrompts is { } reference)
            using (var d = new PromptEmbeddingDistance(pipe, reference)) distance = d.Distance(prompts);

        var analyses = new List<EmoeAnalysis>();
        for (int i = 0; i < prompts.Count; i++)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            var r = results[i];
            var baselines = new EmoeBaselines(r.RouterEntropy, Math.Max(0, r.TokenLength - 2), seedVariance[i], PathDisagreements.Score(r.PathLatents, empty.PathLatents), distance?[i]);
            var image = images[i] ?? (options.WithImage ? GenerateImage(pipe, prompts[i], emoe, options.GuidanceScale, options.CancellationToken) : null);
            analyses.Add(new EmoeAnalysis(r, baselines, attributions[i], image));
            progress?.Report(i + 1);
        }
        return analyses;
    }

    /// <summary>The normal MoE image of <paramref name="prompt"/>: generation with the estimator's seed (the initial latent
    /// EU was scored on), step count and the folder's scheduler, with the model's own routing.</summary>
    public static Imaging.RgbImage GenerateImage(StableDiffusionPipeline pipe, string prompt, EmoeOptions emoe, double guidanceScale,
        CancellationToken ct = default)
    {
        using var result = pipe.Generate(new GenerationOptions
        {
            Prompts = new[] { prompt }, Steps = emoe.NumInferenceSteps, Seed = emoe.Seed, GuidanceScale = guidanceScale, CancellationToken = ct,
            Height = emoe.Height, Width = emoe.Width,
        });
        return result.Images[0];
    }
}
