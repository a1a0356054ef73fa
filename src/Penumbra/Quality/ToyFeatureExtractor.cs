using Penumbra.Classifiers;
using Penumbra.Imaging;
using Penumbra.Toy;
using static TorchSharp.torch;

namespace Penumbra.Quality;

/// <summary>
/// Features for the toy-world FID ("toy-FID"): the penultimate layer (global-average-pooled last convolution stage, 64
/// values) of a clean <see cref="ToyShapeCnn"/> trained at the generator's image size on shape classification with no
/// spurious correlation and blur/noise augmentation. Training is deterministic per seed (own generators, see
/// <see cref="ToyShapeCnnTraining"/>); <see cref="LoadOrTrain"/> caches the model in a folder.
/// </summary>
public sealed class ToyFeatureExtractor : IDisposable
{
    public const int TrainSize = 4000;

    public ToyFeatureExtractor(ToyShapeCnn model) => Model = model;

    public ToyShapeCnn Model { get; }

    /// <summary>Loads the classifier from <paramref name="folder"/> if it holds one, else trains it (seeded) and saves it there.</summary>
    public static ToyFeatureExtractor LoadOrTrain(string folder, int imageSize, int seed = 0)
    {
        if (File.Exists(Path.Combine(folder, ToyShapeCnn.WeightsFileName))) return new ToyFeatureExtractor(ToyShapeCnn.FromPretrained(folder));
        var model = Train(imageSize, seed);
        model.SavePretrained(folder);
        return new ToyFeatureExtractor(model);
    }

    /// <summary>The clean classifier: 4000 renders of size <paramref name="imageSize"/>, P(background | shape) uniform,
    /// degradation 1, AdamW (lr 2e-3, weight decay 1e-2), 3 epochs, batch 64, all seeded by <paramref name="seed"/>.</summary>
    public static ToyShapeCnn Train(int imageSize, int seed)
    {
        var data = new ToyGroupDataset(new ToyGroupDatasetOptions { SpuriousRate = 0.5, ImageSize = imageSize }, seed);
        var train = data.NextSet(TrainSize, degradation: 1, generatorSeed: seed);
        var model = new ToyShapeCnn(new ToyShapeCnnConfig());
        model.ResetParameters(seed);
        ClassifierTrainer.Train(model, train, new TrainOptions
        {
            Optimizer = "adamw", LearningRate = 2e-3, WeightDecay = 1e-2, Epochs = 3, BatchSize = 64, Seed = seed,
        });
        model.eval();
        return model;
    }

    /// <summary>Penultimate features of images (one row per image).</summary>
    public double[][] Features(IReadOnlyList<RgbImage> images)
    {
        Model.eval();
        using var inference = inference_mode();
        var rows = new List<double[]>(images.Count);
        for (int start = 0; start < images.Count; start += 256)
        {
            using var scope = NewDisposeScope();
            var batch = ToyImages.ToBatch(images.Skip(start).Take(256).ToList());
            var f = Model.Features(batch).to(ScalarType.Float64).cpu();
            var flat = f.data<double>().ToArray();
            int d = (int)f.shape[1];
            for (int i = 0; i < f.shape[0]; i++) rows.Add(flat.AsSpan(i * d, d).ToArray());
        }
        return rows.ToArray();
    }

    public void Dispose() => Model.Dispose();
}
