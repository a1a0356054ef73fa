using System.Globalization;
using Penumbra.Imaging;
using Penumbra.MoE;
using Penumbra.Uncertainty;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// The audit scorer of a SegMoE model. Per (prompt, seed): the EMoE estimate (<see cref="EmoeEstimator"/>, the work
/// units of a batch that share a seed scored as one batch) gives the prompt-level scores <c>eu</c> and the baselines
/// <c>router_entropy</c>, <c>token_length</c> and the other readings of its path latents (<see cref="PathDisagreements"/>:
/// <c>decu_paide</c>, <c>cosine_disagreement</c>, <c>channel_normalised_variance</c>, and against the empty prompt's paths at
/// the same seed <c>caption_effect_disagreement</c>, <c>negative_caption_effect</c>), and its variance map (the uncertainty map of the first image). With
/// images: N images per work unit from its seed through the model's pipeline, the work units of a batch generated
/// together (<see cref="BatchedGeneration"/>),
/// each judged by an <see cref="IImageJudge"/> (quality metric and attributes), and per (prompt, seed) the aggregates
/// <c>&lt;quality&gt;_mean</c> and <c>ssim_pairwise</c> (mean SSIM over pairs of the N images, <see cref="Ssim"/>; lower
/// = more diverse). Settings list the uncertainty scores (<c>uncertainty_scores</c>) so reports can tell them from the
/// aggregates.
/// </summary>
public sealed class EmoeScorer : IPromptScorer
{
    public const string Name = "emoe";
    public const string Eu = UncertaintyScoreNames.Eu, RouterEntropy = UncertaintyScoreNames.RouterEntropy,
        TokenLength = UncertaintyScoreNames.TokenLength, Diversity = "ssim_pairwise";
    public const string SeedVariance = UncertaintyScoreNames.SeedVariance, EmbeddingDistance = UncertaintyScoreNames.EmbeddingDistance,
        Paide = DecuPaide.Name;

    private readonly SegMoePipeline moe;
    private readonly EmoeEstimator estimator;
    private readonly EmoeScorerOptions options;
    private readonly PromptEmbeddingDistance? distance;
    private readonly IImageJudge? judge;
    private readonly bool ownsModel;

    /// <param name="moe">The loaded model.</param>
    /// <param name="modelFingerprint">Identifies the model's weights (e.g. <see cref="ModelFingerprint.Compute"/> of its folder).</param>
    /// <param name="judge">Judges images; null when no images will be asked for.</param>
    /// <param name="ownsModel">Dispose the model (and the judge) with the scorer.</param>
    public EmoeScorer(SegMoePipeline moe, string modelName, string modelFingerprint, EmoeScorerOptions? options = null, IImageJudge? judge = null, bool ownsModel = true)
    {
        this.moe = moe;
        this.options = options ?? new EmoeScorerOptions();
        this.judge = judge;
        this.ownsModel = ownsModel;
        estimator = new EmoeEstimator(moe);
        if (this.options.EmoeSteps < 1) throw new ArgumentException($"EMoE steps {this.options.EmoeSteps}: must be at least 1");
        if (this.options.StepIndex < 0 || this.options.StepIndex >= this.options.EmoeSteps)
            throw new ArgumentException($"EMoE step index {this.options.StepIndex}: must be 0..{this.options.EmoeSteps - 1}");
        if (this.options.ImageSteps < 1) throw new ArgumentException($"image steps {this.options.ImageSteps}: must be at least 1");
        if (this.options.SeedSamples is 1 or < 0) throw new ArgumentException($"seed samples {this.options.SeedSamples}: 0 (off) or at least 2");
        if (this.options.ReferencePrompts is { } reference) distance = new PromptEmbeddingDistance(moe.Pipeline, reference);
        var uncertaintyScores = new List<string> { Eu, RouterEntropy, TokenLength };
        uncertaintyScores.AddRange(PathDisagreements.Names);
        if (this.options.SeedSamples >= 2) uncertaintyScores.Add(SeedVariance);
        if (distance != null) uncertaintyScores.Add(EmbeddingDistance);
        string split = estimator.SplitBlock(new EmoeOptions { SplitBlock = this.options.SplitBlock });
        using var scheduler = moe.Pipeline.CreateScheduler(this.options.Scheduler);
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = Name,
            ["version"] = "2",
            ["model"] = modelName,
            ["model_sha256"] = modelFingerprint,
            ["dtype"] = moe.Pipeline.DType.ToString(),
            ["emoe_mode"] = this.options.Mode.ToString().ToLowerInvariant(),
            ["emoe_split"] = split,
            ["emoe_steps"] = Invariant(this.options.EmoeSteps),
            ["emoe_latent"] = EmoeOptions.LatentName(this.options.Latent),
            ["emoe_step_index"] = Invariant(this.options.StepIndex),
            ["uncertainty_scores"] = string.Join(",", uncertaintyScores),
        };
        if (this.options.SeedSamples >= 2) settings["seed_samples"] = Invariant(this.options.SeedSamples);
        if (distance != null) settings["reference_prompts"] = Invariant(distance.ReferenceCount);
        if (judge != null)
        {
            settings["image_steps"] = Invariant(this.options.ImageSteps);
            settings["guidance"] = this.options.GuidanceScale.ToString("R", CultureInfo.InvariantCulture);
            settings["scheduler"] = scheduler.Config.ClassName ?? this.options.Scheduler ?? "?";
            settings["quality_metric"] = judge.QualityMetric;
            foreach (var (k, v) in judge.Settings) settings[k] = v;
        }
        Settings = settings;
        AttributeClasses = judge?.AttributeClasses ?? new Dictionary<string, IReadOnlyList<string>>();
    }

    public IReadOnlyDictionary<string, string> Settings { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; }

    public IReadOnlyList<ScoringResult> Score(IReadOnlyList<ScoringRequest> batch, CancellationToken cancellationToken)
    {
        var scores = new Dictionary<string, double>[batch.Count];
        var maps = new RgbImage?[batch.Count];
        foreach (var group in batch.Select((r, i) => (r, i)).GroupBy(p => p.r.Seed))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var members = group.ToList();
            var texts = members.Select(m => m.r.Prompt.Text).ToList();
            var emoe = new EmoeOptions
            {
                Seed = group.Key, Mode = options.Mode, SplitBlock = options.SplitBlock, NumInferenceSteps = options.EmoeSteps,
                Latent = options.Latent, StepIndex = options.StepIndex,
            };
            var results = estimator.Score(texts, emoe);
            using var empty = estimator.Score("", emoe);
            var seedVariance = options.SeedSamples >= 2 ? estimator.SeedVariance(texts, emoe, options.SeedSamples) : null;
            var distances = distance?.Distance(texts);
            try
            {
                for (int k = 0; k < members.Count; k++)
                {
                    var (request, index) = members[k];
                    var e = results[k];
                    scores[index] = new Dictionary<string, double> { [Eu] = e.Eu, [RouterEntropy] = e.RouterEntropy, [TokenLength] = e.TokenLength };
                    foreach (var (name, value) in PathDisagreements.Score(e.PathLatents, empty.PathLatents)) scores[index][name] = value;
                    if (seedVariance != null) scores[index][SeedVariance] = seedVariance[k];
                    if (distances != null) scores[index][EmbeddingDistance] = distances[k];
                    if (request.Images > 0) maps[index] = UncertaintyMapImage.Render(e.Map, moe.Pipeline.DefaultWidth, moe.Pipeline.DefaultHeight);
                }
            }
            finally
            {
                foreach (var e in results) e.Dispose();
            }
        }

        var generated = new Dictionary<int, IReadOnlyList<RgbImage>>();
        foreach (var group in batch.Select((r, i) => (r, i)).Where(p => p.r.Images > 0).GroupBy(p => p.r.Images))
        {
            if (judge == null) throw new InvalidOperationException("this scorer was made without an image judge, so it cannot score images");
            var members = group.ToList();
            var images = BatchedGeneration.Generate(moe.Pipeline, members.Select(m => (m.r.Prompt.Text, m.r.Seed)).ToList(), group.Key,
                options.ImageSteps, options.GuidanceScale, options.Scheduler, cancellationToken);
            for (int k = 0; k < members.Count; k++) generated[members[k].i] = images[k];
        }

        var output = new List<ScoringResult>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            if (!generated.TryGetValue(i, out var images))
            {
                output.Add(new ScoringResult(scores[i], Array.Empty<ImageResult>()));
                continue;
            }
            var judged = judge!.Judge(batch[i].Prompt.Text, images);
            var imageResults = images.Select((image, k) => new ImageResult(judged[k].Metrics, judged[k].Attributes, image, k == 0 ? maps[i] : null)).ToList();
            var quality = judged.Select(j => j.Metrics.GetValueOrDefault(judge.QualityMetric, double.NaN)).Where(v => !double.IsNaN(v)).ToList();
            scores[i][judge.QualityMetric + "_mean"] = quality.Count == 0 ? double.NaN : quality.Average();
            if (images.Count >= 2) scores[i][Diversity] = Ssim.MeanPairwise(images);
            output.Add(new ScoringResult(scores[i], imageResults));
        }
        return output;
    }

    private static string Invariant(int v) => v.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        distance?.Dispose();
        if (!ownsModel) return;
        judge?.Dispose();
        moe.Dispose();
    }
}
