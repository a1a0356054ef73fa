using Penumbra.Toy;

namespace Penumbra.Cli.Commands;

/// <summary>
/// The toy world's shape classification with its spurious background: circle vs square, a circle on gray and a square
/// on black with probability <c>rate</c> in the training split; validation (n/4) and test (n/2) are group-balanced.
/// Seeds 1, 2, 3 (+ offset) for the three splits.
/// </summary>
public static class ClassifierToyData
{
    public static ClassifierData.Splits Open(int trainCount, double rate, int seedOffset = 0)
    {
        if (trainCount < 16) throw new ArgumentException($"--toy-samples {trainCount} is too small");
        var options = new ToyGroupDatasetOptions { Classes = new[] { ToyShape.Circle, ToyShape.Square }, SpuriousRate = rate };
        var train = new ToyGroupDataset(options, 1 + seedOffset).NextSet(trainCount);
        var val = new ToyGroupDataset(options with { Balanced = true }, 2 + seedOffset).NextSet(trainCount / 4);
        var test = new ToyGroupDataset(options with { Balanced = true }, 3 + seedOffset).NextSet(trainCount / 2);
        return new ClassifierData.Splits(train, val, test, $"toy circle vs square, P(spurious background) = {rate}");
    }
}
