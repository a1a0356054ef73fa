using Penumbra.Classifiers;
using TorchSharp;

namespace Penumbra.Editing;

/// <summary>Every element of every parameter and buffer that differs (bitwise) between two classifiers of the same architecture.</summary>
public static class StateDictDiff
{
    public sealed record Change(string Key, long[] Index, double Old, double New);

    public static IReadOnlyList<Change> Compare(ILinearHeadClassifier original, ILinearHeadClassifier edited)
    {
        var a = original.Module.state_dict();
        var b = edited.Module.state_dict();
        var keys = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal).ToList();
        var changes = new List<Change>();
        using var scope = torch.NewDisposeScope();
        foreach (var key in keys)
        {
            if (!a.TryGetValue(key, out var x) || !b.TryGetValue(key, out var y) || !x.shape.SequenceEqual(y.shape))
                throw new ArgumentException($"the two classifiers differ in tensor '{key}' itself, not only in values");
            // Bitwise: NaN = NaN and -0 != +0 do not hide a change.
            var xb = x.to(torch.ScalarType.Float64).cpu();
            var yb = y.to(torch.ScalarType.Float64).cpu();
            var differs = xb.ne(yb).logical_and(xb.isnan().logical_and(yb.isnan()).logical_not())
                .logical_or(xb.eq(0).logical_and(yb.eq(0)).logical_and(xb.signbit().ne(yb.signbit())));
            var where = differs.nonzero();
            for (long r = 0; r < where.shape[0]; r++)
            {
                var idx = where[r].data<long>().ToArray();
                var ti = idx.Select(i => torch.TensorIndex.Single(i)).ToArray();
                changes.Add(new Change(key, idx, xb[ti].item<double>(), yb[ti].item<double>()));
            }
        }
        return changes;
    }
}
