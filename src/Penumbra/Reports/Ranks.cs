namespace Penumbra.Reports;

/// <summary>Ranks with ties: tied values share the mean of the 1-based ranks they occupy ([10, 20, 20, 30] -> [1, 2.5, 2.5, 4]).</summary>
public static class Ranks
{
    public static double[] Average(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var keys = values.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(keys, order); // unstable, but tied values get the same rank whatever their order
        // keys[k] now equals values[order[k]].
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && keys[end + 1] == keys[start]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
