namespace Penumbra.Audit;

/// <summary>
/// Scores prompts for an audit: EMoE, the toy checker, CLIP scoring and the fake test scorer plug in here.
/// A request is one (prompt, seed) work unit; its result holds named prompt-level scores (e.g. <c>eu</c>,
/// <c>router_entropy</c>, <c>token_length</c>) and, when images were asked for, one <see cref="ImageResult"/> per
/// image (metrics such as <c>clip_score</c>, attributes such as gender -> woman, the image and its uncertainty map).
/// Contract: a result depends only on its (prompt, seed) and <see cref="Settings"/>, never on which other requests
/// share the batch, so a resumed or sharded run stores the same numbers as an uninterrupted one.
/// </summary>
public interface IPromptScorer : IDisposable
{
    /// <summary>Everything that determines the results (scorer name, model, steps, ...); stored in the run config,
    /// and a resume or merge with different settings is refused.</summary>
    IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The classes of each attribute the scorer assigns to images (e.g. gender -> [man, woman]); the fairness
    /// score measures the distance of the observed class distribution from uniform over these classes.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; }

    /// <summary>Scores a batch; returns one result per request, in order.</summary>
    IReadOnlyList<ScoringResult> Score(IReadOnlyList<ScoringRequest> batch, CancellationToken cancellationToken);
}
