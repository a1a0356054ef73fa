using Penumbra.Imaging;
using Penumbra.Pipelines.StableDiffusion;

namespace Penumbra.Debias;

/// <summary>
/// Generates images per prompt and classifies their attribute (the toy checker's colour; a CLIP zero-shot classifier
/// for real models), with the adapters on or off. Prompt i uses seed <c>seed + i</c> for all its images, so runs with
/// and without adapters start from the same noise.
/// </summary>
public sealed record AttributeSampler
{
    private readonly StableDiffusionPipeline _pipe;
    private readonly Func<RgbImage, string?> _classify;

    public AttributeSampler(StableDiffusionPipeline pipe, Func<RgbImage, string?> classify)
    {
        _pipe = pipe;
        _classify = classify;
    }

    public int ImagesPerPrompt { get; init; } = 100;
    public int Steps { get; init; } = 50;
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>Scheduler name; null = the model's own (the spec's placeholder is ddim).</summary>
    public string? Scheduler { get; init; }
    public long Seed { get; init; }

    /// <summary>The images of each prompt (in order), for classifiers that need more than the class.</summary>
    public IReadOnlyList<RgbImage> Generate(string prompt, long seed, CancellationToken ct = default)
    {
        using var result = _pipe.Generate(new GenerationOptions
        {
            Prompts = new[] { prompt }, ImagesPerPrompt = ImagesPerPrompt, Steps = Steps, GuidanceScale = GuidanceScale, Seed = seed,
            CancellationToken = ct,
        }, Scheduler);
        return result.Images.ToArray();
    }

    public AttributeCounts[] Classify(IReadOnlyList<string> prompts, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var all = new AttributeCounts[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            int none = 0;
            foreach (var image in Generate(prompts[i], Seed + i, ct))
            {
                if (_classify(image) is { } c) counts[c] = counts.GetValueOrDefault(c) + 1;
                else none++;
            }
            all[i] = new AttributeCounts(prompts[i], counts, none);
            progress?.Report(i + 1);
        }
        return all;
    }
}
