namespace Penumbra.Reports;

/// <summary>Ranks with ties: tied values share the mean of the 1-based ranks they occupy ([10, 20, 20, 30] -> [1, 2.5, 2.5, 4]).</summary>
public static class Ranks
{
    public static double[] Average(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
