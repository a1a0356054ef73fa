using Penumbra.Classifiers;

namespace Penumbra.Editing;

/// <summary>
/// Per-group accuracy of predictions on an annotated set (group = y * A + a), the worst-group accuracy (minimum
/// over non-empty groups) and the average accuracy (over samples, i.e. weighted by the set's own group mix).
/// </summary>
public sealed record GroupAccuracy(int NumClasses, int NumAttributes, int[] Counts, int[] Correct)
{
    public static GroupAccuracy Of(IReadOnlyList<int> predictions, FeatureSet set) =>
        Of(predictions, set.Labels, set.Attributes, set.NumClasses, set.NumAttributes);

    public static GroupAccuracy Of(IReadOnlyList<int> predictions, IReadOnlyList<int> labels, IReadOnlyList<int> attributes, int numClasses, int numAttributes)
    {
        if (predictions.Count != labels.Count) throw new ArgumentException($"{predictions.Count} predictions for {labels.Count} samples");
        var counts = new int[numClasses * numAttributes];
        var correct = new int[counts.Length];
        for (int i = 0; i < labels.Count; i++)
        {
            int g = labels[i] * numAttributes + attributes[i];
            counts[g]++;
            if (predictions[i] == labels[i]) correct[g]++;
        }
        return new GroupAccuracy(numClasses, numAttributes, counts, correct);
    }

    public int Groups => Counts.Length;
    public double Of(int group) => Counts[group] == 0 ? double.NaN : (double)Correct[group] / Counts[group];
    public double Worst => Enumerable.Range(0, Groups).Where(g => Counts[g] > 0).Select(Of).DefaultIfEmpty(double.NaN).Min();
    public int WorstGroup => Enumerable.Range(0, Groups).Where(g => Counts[g] > 0).OrderBy(Of).ThenBy(g => g).DefaultIfEmpty(-1).First();
    public double Average => Counts.Sum() == 0 ? double.NaN : (double)Correct.Sum() / Counts.Sum();

    /// <summary>Accuracy averaged over groups with the given weights (e.g. the training group mix, as usual for Waterbirds).</summary>
    public double WeightedAverage(IReadOnlyList<double> groupWeights)
    {
        double sum = 0, weight = 0;
        for (int g = 0; g < Groups; g++)
            if (Counts[g] > 0) { sum += groupWeights[g] * Of(g); weight += groupWeights[g]; }
        return weight > 0 ? sum / weight : double.NaN;
    }
}
