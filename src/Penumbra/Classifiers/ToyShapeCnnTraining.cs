using Penumbra.Datasets;
using Penumbra.Editing;
using Penumbra.Toy;
using static TorchSharp.torch;

namespace Penumbra.Classifiers;

/// <summary>
/// Trains <see cref="ToyShapeCnn"/> on generated toy data with <see cref="ClassifierTrainer"/> (AdamW, cross-entropy).
/// Deterministic for a seed: the initialisation (<see cref="ToyShapeCnn.ResetParameters"/>, its own generator), the
/// training set (<see cref="ToyGroupDataset"/> with the seed), its augmentation (own generator) and the shuffling all
/// derive from it; the model has no dropout, so the global torch generator plays no part.
/// </summary>
public static class ToyShapeCnnTraining
{
    public static (ToyShapeCnn Model, IReadOnlyList<double> EpochLosses) Train(ToyShapeCnnTrainingOptions options,
        IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.TrainSize < 1) throw new ArgumentException($"{nameof(options.TrainSize)} = {options.TrainSize} must be positive");
        var classes = Classes(options.Model);
        var data = new ToyGroupDataset(new ToyGroupDatasetOptions { Classes = classes, SpuriousRate = options.SpuriousRate }, options.Seed);
        var train = data.NextSet(options.TrainSize, options.Degradation, options.Seed);
        var model = new ToyShapeCnn(options.Model);
        model.ResetParameters(options.Seed);
        var losses = ClassifierTrainer.Train(model, train, new TrainOptions
        {
            Optimizer = "adamw",
            LearningRate = options.LearningRate,
            WeightDecay = options.WeightDecay,
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
        }, progress, cancellationToken);
        return (model, losses);
    }

    /// <summary>A group-balanced test set (every shape × background group equally likely) of the model's classes.</summary>
    public static GroupedTensorSet BalancedTestSet(ToyShapeCnnConfig config, int count, int seed, double degradation = 0) =>
        new ToyGroupDataset(new ToyGroupDatasetOptions { Classes = Classes(config), Balanced = true }, seed).NextSet(count, degradation, seed);

    /// <summary>Per-group accuracy of the model on a grouped set.</summary>
    public static GroupAccuracy Evaluate(ToyShapeCnn model, IGroupedImageSet set)
    {
        var all = Enumerable.Range(0, set.Count).ToArray();
        using var images = set.LoadImages(all);
        var predictions = model.Predict(images).Select(p => (int)p).ToArray();
        return GroupAccuracy.Of(predictions, set.Labels, set.Attributes, set.NumClasses, set.NumAttributes);
    }

    private static ToyShape[] Classes(ToyShapeCnnConfig config)
    {
        if (config.ClassNames.Length != config.NumClasses)
            throw new ArgumentException($"training a toy shape CNN needs class_names with one shape word per class ({config.NumClasses})");
        return config.ClassNames.Select(name => ToyCaptionParser.Parse(name).Shape
            ?? throw new ArgumentException($"class name '{name}' is not a toy shape word")).ToArray();
    }
}
