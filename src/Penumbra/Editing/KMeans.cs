using TorchSharp;

namespace Penumbra.Editing;

/// <summary>
/// Seeded k-means (k-means++ initialisation, Lloyd iterations, several restarts keeping the lowest inertia), in
/// float64. Deterministic for a given seed.
/// </summary>
public static class KMeans
{
    public static int[] Cluster(torch.Tensor points, int k, int seed, int restarts = 5, int maxIterations = 100)
    {
        long n = points.shape[0];
        if (n < k) throw new ArgumentException($"cannot form {k} clusters from {n} points");
        using var scope = torch.NewDisposeScope();
        var x = points.to(torch.ScalarType.Float64);
        var rng = new Random(seed);
        int[]? best = null;
        double bestInertia = double.PositiveInfinity;
        for (int r = 0; r < restarts; r++)
        {
            var centres = PlusPlus(x, k, rng);
            torch.Tensor assign = torch.zeros(n, torch.ScalarType.Int64);
            for (int it = 0; it < maxIterations; it++)
            {
                var next = torch.cdist(x, centres).argmin(1);
                bool same = it > 0 && next.eq(assign).all().item<bool>();
                assign = next;
                var updated = centres.clone();
                for (int c = 0; c < k; c++)
                {
                    var mask = assign.eq(c);
                    if (mask.any().item<bool>()) updated[c] = x[mask].mean(new long[] { 0 });
                }
                centres = updated;
                if (same) break;
            }
            double inertia = torch.cdist(x, centres).min(1).values.pow(2).sum().item<double>();
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                best = assign.data<long>().Select(v => (int)v).ToArray();
            }
        }
        return best!;
    }

    private static torch.Tensor PlusPlus(torch.Tensor x, int k, Random rng)
    {
        long n = x.shape[0];
        var chosen = new List<long> { rng.NextInt64(n) };
        for (int c = 1; c < k; c++)
        {
            var d2 = torch.cdist(x, x.index_select(0, torch.tensor(chosen.ToArray()))).min(1).values.pow(2).data<double>().ToArray();
            double total = d2.Sum(), u = rng.NextDouble() * total, acc = 0;
            long pick = n - 1;
            for (long i = 0; i < n; i++)
            {
                acc += d2[i];
                if (total > 0 && acc >= u) { pick = i; break; }
            }
            chosen.Add(pick);
        }
        return x.index_select(0, torch.tensor(chosen.ToArray())).clone();
    }
}
