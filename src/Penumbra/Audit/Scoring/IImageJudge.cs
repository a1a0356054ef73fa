using Penumbra.Imaging;

namespace Penumbra.Audit.Scoring;

/// <summary>Judges generated images: a quality metric against the prompt (<see cref="QualityMetric"/>, e.g. the toy
/// checker's score or CLIP score) plus attribute classes (e.g. colour -> red, gender -> woman).</summary>
public interface IImageJudge : IDisposable
{
    /// <summary>The name of the quality metric every judgement carries.</summary>
    string QualityMetric { get; }

    /// <summary>Everything that determines the judgements (stored in the run config).</summary>
    IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The classes of each attribute the judge assigns.</summary>
    IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; }

    /// <summary>One judgement per image, in order; each depends only on its image and the prompt.</summary>
    IReadOnlyList<ImageJudgement> Judge(string prompt, IReadOnlyList<RgbImage> images);
}
