using Penumbra.Classifiers;
using Penumbra.Training;
using TorchSharp;

namespace Penumbra.Editing;

/// <summary>
/// DFR-style baseline (Kirichenko et al., "Last layer re-training is sufficient"): refit the final linear layer on
/// group-balanced subsets of the annotated validation features (every group subsampled to the smallest group's size),
/// as multinomial logistic regression on standardised features with an L2 penalty, averaged over several subsets and
/// mapped back to the raw features. Unlike the single-weight edit it rewrites the whole head.
/// </summary>
public static class LastLayerRetraining
{
    public static LinearHead Fit(string headName, FeatureSet validation, int seed, int subsets = 5, double l2 = 1e-3, int steps = 300)
    {
        var groups = Enumerable.Range(0, validation.Count).GroupBy(validation.Group).ToList();
        int perGroup = groups.Min(g => g.Count());
        if (perGroup == 0) throw new InvalidOperationException("a group of the validation set is empty");
        var rng = new Random(seed);
        torch.Tensor? wSum = null, bSum = null;
        for (int s = 0; s < subsets; s++)
        {
            var idx = groups.SelectMany(g => g.OrderBy(_ => rng.Next()).Take(perGroup)).ToArray();
            var sub = validation.Subset(idx);
            var (w, b) = Logistic(sub, l2, steps, seed * 1000 + s);
            wSum = wSum is null ? w : wSum + w;
            bSum = bSum is null ? b : bSum + b;
        }
        return new LinearHead(headName, wSum! / subsets, bSum! / subsets);
    }

    /// <summary>Full-batch Adam on the standardised features, then folded back: W/std, b − W·(mean/std).</summary>
    private static (torch.Tensor W, torch.Tensor B) Logistic(FeatureSet set, double l2, int steps, int seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        var x = set.Features.to(torch.ScalarType.Float32);
        var mean = x.mean(new long[] { 0 });
        var std = x.std(0) + 1e-6f;
        var z = (x - mean) / std;
        var y = torch.tensor(set.Labels.Select(v => (long)v).ToArray());
        var (w, b) = FitAdam(z, y, set.NumClasses, l2, steps, mean, std);
        return (scope.MoveToOuter(w), scope.MoveToOuter(b));
    }

    private static (torch.Tensor, torch.Tensor) FitAdam(torch.Tensor z, torch.Tensor y, int classes, double l2, int steps, torch.Tensor mean, torch.Tensor std)
    {
        var w = new TorchSharp.Modules.Parameter(torch.zeros(classes, z.shape[1]));
        var b = new TorchSharp.Modules.Parameter(torch.zeros(classes));
        var optimizer = torch.optim.Adam(new[] { w, b }, 0.05);
        for (int i = 0; i < steps; i++)
        {
            using var step = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = torch.nn.functional.cross_entropy(torch.nn.functional.linear(z, w, b), y) + l2 * w.pow(2).sum();
            loss.backward();
            OptimizerStep.Run(optimizer);
        }
        using var noGrad = torch.no_grad();
        // logits = W (x - mean) / std + b = (W / std) x + (b - W·(mean / std)).
        var wRaw = w / std;
        var bRaw = b - torch.mv(w, mean / std);
        return (wRaw.detach().clone(), bRaw.detach().clone());
    }
}
