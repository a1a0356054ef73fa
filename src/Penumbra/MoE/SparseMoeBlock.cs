using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// segmoe's <c>SparseMoeBlock</c> (Mixtral-style, untrained): <c>gate</c> (Linear in→E, no bias, row e = expert e's gate
/// vector) and <c>experts</c> (E copies of one module, e.g. a Linear projection or a FeedForward), so the keys are
/// <c>&lt;P&gt;.gate.weight</c> and <c>&lt;P&gt;.experts.&lt;e&gt;.&lt;suffix&gt;</c>. Forward (spec §4) on X [rows, ..., in]:
/// logits L = X·Wᵀ in the model dtype; the k experts with the largest Σ L over all rows and tokens (summed in float32) are
/// chosen once per call; per token w = softmax over the k chosen logits (float32, cast back); Y = Σ_i w_i·Expert_i(X).
/// How rows are routed (segmoe's batch-global rule, per row group, or a forced expert per row) comes from
/// <see cref="Routing"/>, shared by the blocks of a model; the last call's choice is in <see cref="LastCall"/>.
/// </summary>
public sealed class SparseMoeBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> experts;
    private int _topK;
    private MoeCall? _lastCall;

    /// <param name="inFeatures">Input channels (the gate's input).</param>
    /// <param name="outFeatures">Output channels of every expert.</param>
    /// <param name="expertModules">The experts, in order (taken over, not copied).</param>
    /// <param name="topK">Experts per token (<c>num_experts_per_tok</c>).</param>
    /// <param name="path">The module path in its model (names routing overrides and call records).</param>
    public SparseMoeBlock(long inFeatures, long outFeatures, IEnumerable<nn.Module<Tensor, Tensor>> expertModules, int topK, string path = "")
        : base(nameof(SparseMoeBlock))
    {
        var list = expertModules.ToArray();
        if (list.Length < 1) throw new ArgumentException("a mixture needs at least one expert", nameof(expertModules));
        experts = nn.ModuleList(list);
        gate = nn.Linear(inFeatures, list.Length, hasBias: false);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Path = path;
        TopK = topK;
        RegisterComponents();
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public int NumExperts => experts.Count;
    public string Path { get; set; }

    /// <summary>Experts per token (<c>num_experts_per_tok</c>), 1..<see cref="NumExperts"/>; <see cref="MoeRouting.TopK"/> overrides it.</summary>
    public int TopK
    {
        get => _topK;
        set => _topK = value >= 1 && value <= NumExperts ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"'{Path}': top-k must be 1..{NumExperts}");
    }

    /// <summary>The routing settings (a model's blocks share one instance).</summary>
    public MoeRouting Routing { get; set; } = new();

    /// <summary>The gate, <c>gate.weight</c> [E, in].</summary>
    public Linear Gate => gate;

    public nn.Module<Tensor, Tensor> Expert(int e) => experts[e];

    public IReadOnlyList<nn.Module<Tensor, Tensor>> Experts => experts.ToArray();

    /// <summary>What the last call chose (null before the first call).</summary>
    public MoeCall? LastCall => _lastCall;

    /// <summary>Replaces expert <paramref name="e"/> (the old module is disposed); the new one must map in→out channels.</summary>
    public void SetExpert(int e, nn.Module<Tensor, Tensor> module)
    {
        var old = Penumbra.Models.Common.ModuleReplacer.Replace(this, $"experts.{e}", module);
        if (!ReferenceEquals(old, module)) old.Dispose();
    }

    /// <summary>Copies <paramref name="weight"/> [E, in] into the gate.</summary>
    public void SetGate(Tensor weight)
    {
        if (!weight.shape.SequenceEqual(gate.weight!.shape))
            throw new ArgumentException($"'{Path}': gate weight must be [{string.Join(",", gate.weight.shape)}], got [{string.Join(",", weight.shape)}]");
        using var noGrad = no_grad();
        gate.weight.copy_(weight);
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dim() < 2 || x.shape[^1] != InFeatures)
            throw new ArgumentException($"'{Path}': input must be [rows, ..., {InFeatures}], got [{string.Join(",", x.shape)}]");
        using var scope = NewDisposeScope();
        var route = Routing.For(Path);
        int k = Routing.TopK ?? TopK;
        if (k > NumExperts) throw new InvalidOperationException($"'{Path}': top-k {k} but only {NumExperts} experts");
        int rows = (int)x.shape[0];
        var flat = x.reshape(-1, InFeatures);
        long tokens = flat.shape[0] / Math.Max(rows, 1);
        bool needLogits = Routing.CaptureProbabilities || NeedsGate(route);
        Tensor? logits = needLogits ? gate.call(flat) : null;

        var selections = new List<int[]>();
        var groupOfRow = new int[rows];
        var y = Route(route, flat, logits, rows, tokens, k, selections, groupOfRow);

        Tensor? probabilities = null;
        if (Routing.CaptureProbabilities)
            probabilities = nn.functional.softmax(logits!.to(ScalarType.Float32), -1).reshape(rows, tokens, NumExperts).detach()
                .DetachFromDisposeScope();
        _lastCall?.GateProbabilities?.Dispose();
        _lastCall = new MoeCall(Path, route, route.Kind == MoeRouteKind.Forced ? 1 : k, selections, groupOfRow, tokens, probabilities);
        Routing.OnCall?.Invoke(_lastCall);

        var shape = x.shape.ToArray();
        shape[^1] = y.shape[^1];
        return scope.MoveToOuter(y.reshape(shape));
    }

    private static bool NeedsGate(MoeRoute route) =>
        route.Kind == MoeRouteKind.Stacked ? route.Parts!.Any(p => NeedsGate(p.Route)) : route.Kind != MoeRouteKind.Forced;

    /// <summary>Applies <paramref name="route"/> to <paramref name="rows"/> rows of <paramref name="tokens"/> tokens each,
    /// appending the routing groups' choices to <paramref name="selections"/> and each row's group to <paramref name="groupOfRow"/>.</summary>
    private Tensor Route(MoeRoute route, Tensor flat, Tensor? logits, int rows, long tokens, int k, List<int[]> selections, int[] groupOfRow)
    {
        switch (route.Kind)
        {
            case MoeRouteKind.Global:
            {
                (var y, var sel) = Mix(flat, logits!, k);
                selections.Add(sel);
                return y;
            }
            case MoeRouteKind.Grouped:
            {
                var groups = route.RowGroups ?? Enumerable.Range(0, rows).ToArray();
                CheckRows(groups.Count, rows, "row groups");
                int offset = selections.Count;
                var y = ApplyPerGroup(flat, rows, tokens, groups, groupRows =>
                {
                    var selected = SelectExperts(TokensOfRows(logits!, groupRows, tokens), k);
                    selections.Add(selected);
                    return (run, first) => Combine(run, logits!.narrow(0, first, run.shape[0]), selected);
                }, groupOfRow);
                for (int r = 0; r < rows; r++) groupOfRow[r] += offset;
                return y;
            }
            case MoeRouteKind.Forced:
            {
                IReadOnlyList<int> perRow = route.RowExperts ?? Enumerable.Repeat(route.AllRowsExpert!.Value, rows).ToArray();
                CheckRows(perRow.Count, rows, "forced experts");
                foreach (var e in perRow)
                    if (e >= NumExperts) throw new ArgumentException($"'{Path}': forced expert {e} but the block has {NumExperts} experts");
                int offset = selections.Count;
                var y = ApplyPerGroup(flat, rows, tokens, perRow, groupRows =>
                {
                    int e = perRow[groupRows[0]];
                    selections.Add(new[] { e });
                    return (run, _) => experts[e].call(run);
                }, groupOfRow);
                for (int r = 0; r < rows; r++) groupOfRow[r] += offset;
                return y;
            }
            default:
            {
                // A batch made of the leading blocks only is routed by those blocks (rows that stopped early, e.g. EMoE's
                // path rows after the mid block, are the trailing ones).
                var parts = new List<(MoeRoute Route, int Rows)>();
                foreach (var part in route.Parts!)
                    if (parts.Sum(p => p.Rows) < rows) parts.Add(part);
                CheckRows(parts.Sum(p => p.Rows), rows, "stacked rows (or rows of its leading blocks)");
                var outputs = new List<Tensor>();
                int first = 0;
                foreach (var (part, count) in parts)
                {
                    var slice = flat.narrow(0, first * tokens, count * tokens);
                    var partLogits = logits?.narrow(0, first * tokens, count * tokens);
                    var partGroups = new int[count];
                    outputs.Add(Route(part, slice, partLogits, count, tokens, k, selections, partGroups));
                    Array.Copy(partGroups, 0, groupOfRow, first, count);
                    first += count;
                }
                return cat(outputs, 0);
            }
        }
    }

    /// <summary>segmoe's rule on a set of token rows: one top-k from the float32 sum of the logits, per-token softmax over the
    /// chosen logits in float32, weighted sum of the chosen experts' outputs.</summary>
    private (Tensor Output, int[] Selected) Mix(Tensor flat, Tensor logits, int k)
    {
        var selected = SelectExperts(logits, k);
        return (Combine(flat, logits, selected), selected);
    }

    /// <summary>segmoe's choice for a set of token rows: the k experts with the largest float32 sum of the logits.</summary>
    private static int[] SelectExperts(Tensor logits, int k)
    {
        using var scores = logits.to(ScalarType.Float32).sum(0L);
        var (values, indices) = scores.topk(k);
        using (values)
        using (indices)
            return indices.cpu().data<long>().Select(i => (int)i).ToArray();
    }

    /// <summary>Per token, softmax (float32) over the chosen experts' logits, then the weighted sum of their outputs.</summary>
    private Tensor Combine(Tensor flat, Tensor logits, int[] selected)
    {
        var index = tensor(selected.Select(i => (long)i).ToArray(), ScalarType.Int64, logits.device);
        var chosen = logits.index_select(1, index);
        var weights = nn.functional.softmax(chosen.to(ScalarType.Float32), 1).to(flat.dtype);
        Tensor? y = null;
        for (int i = 0; i < selected.Length; i++)
        {
            var term = weights.narrow(1, i, 1) * experts[selected[i]].call(flat);
            y = y is null ? term : y + term;
        }
        return y!;
    }

    /// <summary>The token rows of the given batch rows (a slice when they are consecutive).</summary>
    private static Tensor TokensOfRows(Tensor x, int[] rows, long tokens)
    {
        bool consecutive = rows.Zip(rows.Skip(1), (a, b) => b == a + 1).All(c => c);
        if (consecutive) return x.narrow(0, rows[0] * tokens, rows.Length * tokens);
        var idx = rows.SelectMany(r => Enumerable.Range(0, (int)tokens).Select(t => r * tokens + t)).ToArray();
        return x.index_select(0, tensor(idx, ScalarType.Int64, x.device));
    }

    /// <summary>Routes each group of rows (groups in order of first appearance): <paramref name="prepare"/> gets a group's
    /// rows and returns how to compute a run of its token rows (the run and its first token row); every maximal run of
    /// consecutive rows of one group is computed on a slice and the results are concatenated in row order. Slices, not a
    /// gather and scatter: index_copy_ on CPU costs about three bf16 matmuls of the same size.</summary>
    private static Tensor ApplyPerGroup(Tensor flat, int rows, long tokens, IReadOnlyList<int> groupOfRowIds,
        Func<int[], Func<Tensor, long, Tensor>> prepare, int[] groupOfRow)
    {
        var order = new List<int>();
        var members = new Dictionary<int, List<int>>();
        for (int r = 0; r < rows; r++)
        {
            int g = groupOfRowIds[r];
            if (!members.TryGetValue(g, out var list))
            {
                members[g] = list = new List<int>();
                order.Add(g);
            }
            groupOfRow[r] = order.IndexOf(g);
            list.Add(r);
        }
        var runners = order.Select(g => prepare(members[g].ToArray())).ToArray();
        var parts = new List<Tensor>();
        for (int r = 0; r < rows;)
        {
            int end = r + 1;
            while (end < rows && groupOfRow[end] == groupOfRow[r]) end++;
            parts.Add(runners[groupOfRow[r]](flat.narrow(0, r * tokens, (end - r) * tokens), r * tokens));
            r = end;
        }
        return parts.Count == 1 ? parts[0] : cat(parts, 0);
    }

    private void CheckRows(int given, int rows, string what)
    {
        if (given != rows) throw new ArgumentException($"'{Path}': {given} {what} for a batch of {rows} rows");
    }
}
