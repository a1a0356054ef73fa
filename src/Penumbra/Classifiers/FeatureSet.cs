using Penumbra.Datasets;
using TorchSharp;

namespace Penumbra.Classifiers;

/// <summary>Penultimate features [N,d] (float32, CPU) of an annotated set, with its labels and attributes (group = y * A + a).</summary>
public sealed class FeatureSet
{
    public FeatureSet(torch.Tensor features, IReadOnlyList<int> labels, IReadOnlyList<int> attributes, int numClasses, int numAttributes)
    {
        if (features.dim() != 2 || features.shape[0] != labels.Count || labels.Count != attributes.Count)
            throw new ArgumentException($"features [{string.Join(",", features.shape)}], {labels.Count} labels and {attributes.Count} attributes do not describe the same samples");
        Features = features;
        Labels = labels.ToArray();
        Attributes = attributes.ToArray();
        NumClasses = numClasses;
        NumAttributes = numAttributes;
    }

    public torch.Tensor Features { get; }
    public int[] Labels { get; }
    public int[] Attributes { get; }
    public int NumClasses { get; }
    public int NumAttributes { get; }
    public int Count => Labels.Length;

    public int Group(int i) => Labels[i] * NumAttributes + Attributes[i];

    /// <summary>The same features with other attributes (e.g. cluster ids standing in for missing group labels).</summary>
    public FeatureSet WithAttributes(IReadOnlyList<int> attributes, int numAttributes) => new(Features, Labels, attributes, NumClasses, numAttributes);

    public FeatureSet Subset(IReadOnlyList<int> indices) =>
        new(Features.index_select(0, torch.tensor(indices.Select(i => (long)i).ToArray())),
            indices.Select(i => Labels[i]).ToArray(), indices.Select(i => Attributes[i]).ToArray(), NumClasses, NumAttributes);

    /// <summary>One pass of the classifier's feature extractor over a set (eval mode, inference mode, in batches).</summary>
    public static FeatureSet Extract(ILinearHeadClassifier model, IGroupedImageSet set, int batchSize = 256)
    {
        if (set.NumClasses != model.NumClasses)
            throw new ArgumentException($"the data has {set.NumClasses} classes, the classifier {model.NumClasses}");
        bool wasTraining = model.Module.training;
        model.Module.eval();
        var device = model.Head.weight!.device;
        var parts = new List<torch.Tensor>();
        using (torch.inference_mode())
            for (int start = 0; start < set.Count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var idx = Enumerable.Range(start, Math.Min(batchSize, set.Count - start)).ToArray();
                var f = model.Features(set.LoadImages(idx).to(device).to(model.Head.weight!.dtype));
                parts.Add(scope.MoveToOuter(f.to(torch.ScalarType.Float32).cpu()));
            }
        if (wasTraining) model.Module.train();
        var features = parts.Count == 0 ? torch.zeros(0, model.FeatureDim) : torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return new FeatureSet(features.clone(), set.Labels, set.Attributes, set.NumClasses, set.NumAttributes);
    }
}
