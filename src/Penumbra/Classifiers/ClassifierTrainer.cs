using Penumbra.Datasets;
using Penumbra.Training;
using TorchSharp;

namespace Penumbra.Classifiers;

/// <summary>
/// Empirical risk minimisation for any <see cref="ILinearHeadClassifier"/>: cross-entropy, AdamW or SGD, seeded
/// shuffling; with <see cref="TrainOptions.GroupBalanced"/> each sample's loss is weighted by N / (G · n_g) so that
/// every non-empty group of the training set contributes equally (the reweighting baseline).
/// Returns the mean loss of each epoch; the model is left in eval mode.
/// </summary>
public static class ClassifierTrainer
{
    public static IReadOnlyList<double> Train(ILinearHeadClassifier model, IGroupedImageSet train, TrainOptions options,
        IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (train.Count == 0) throw new ArgumentException("the training set is empty");
        if (options.Epochs < 1 || options.BatchSize < 1) throw new ArgumentException($"epochs ({options.Epochs}) and batch size ({options.BatchSize}) must be positive");
        var module = model.Module;
        var device = model.Head.weight!.device;
        torch.manual_seed(options.Seed);
        var parameters = module.parameters();
        torch.optim.Optimizer optimizer = options.Optimizer.ToLowerInvariant() switch
        {
            "adamw" => torch.optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
            "sgd" => torch.optim.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
            _ => throw new ArgumentException($"unknown optimizer '{options.Optimizer}' (adamw, sgd)"),
        };
        var weights = SampleWeights(train, options.GroupBalanced);
        var rng = new Random(options.Seed);
        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize, step = 0;
        var epochLosses = new List<double>();
        module.train();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var order = Enumerable.Range(0, train.Count).ToArray();
            rng.Shuffle(order);
            double sum = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var idx = order[start..Math.Min(order.Length, start + options.BatchSize)];
                var x = train.LoadImages(idx).to(device);
                var y = torch.tensor(idx.Select(i => (long)train.Labels[i]).ToArray(), device: device);
                var w = torch.tensor(idx.Select(i => (float)weights[i]).ToArray(), device: device);
                optimizer.zero_grad();
                var perSample = torch.nn.functional.cross_entropy(module.call(x), y, reduction: torch.nn.Reduction.None);
                var loss = (perSample * w).sum() / idx.Length;
                loss.backward();
                OptimizerStep.Run(optimizer);
                double l = loss.item<float>();
                sum += l * idx.Length;
                progress?.Report(new TrainProgress(epoch, ++step, stepsPerEpoch * options.Epochs, l));
            }
            epochLosses.Add(sum / order.Length);
        }
        module.eval();
        return epochLosses;
    }

    /// <summary>1 for every sample, or N / (G · n_g) with G the number of non-empty groups (mean weight 1).</summary>
    public static double[] SampleWeights(IGroupedImageSet set, bool groupBalanced)
    {
        var w = new double[set.Count];
        if (!groupBalanced) { Array.Fill(w, 1.0); return w; }
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < set.Count; i++)
        {
            int g = set.Labels[i] * set.NumAttributes + set.Attributes[i];
            counts[g] = counts.GetValueOrDefault(g) + 1;
        }
        for (int i = 0; i < set.Count; i++)
            w[i] = (double)set.Count / (counts.Count * counts[set.Labels[i] * set.NumAttributes + set.Attributes[i]]);
        return w;
    }
}
