namespace Penumbra.MoE;

/// <summary>
/// The routing rule of a <see cref="SparseMoeBlock"/> call. Rows are the first dimension of the block's input (the batch,
/// including the classifier-free-guidance doubling: diffusers orders it [uncond rows, cond rows]).
/// <list type="bullet">
/// <item><see cref="Global"/>: segmoe (spec §4), the whole batch shares one selection.</item>
/// <item><see cref="Grouped"/> / <see cref="EachRow"/>: the same rule per group of rows, so paths batched together
/// route exactly as if each ran alone.</item>
/// <item><see cref="Forced"/> / <see cref="ForcedAll"/>: row r uses expert e_r alone, weight 1 (EMoE runs all expert
/// paths as one batch this way).</item>
/// <item><see cref="Stack"/>: consecutive blocks of rows with a rule each, as if each block ran alone.</item>
/// </list>
/// </summary>
public sealed record MoeRoute
{
    private MoeRoute(MoeRouteKind kind, int[]? rowGroups, int[]? rowExperts, int? allRowsExpert,
        IReadOnlyList<(MoeRoute Route, int Rows)>? parts = null)
    {
        Kind = kind;
        RowGroups = rowGroups;
        RowExperts = rowExperts;
        AllRowsExpert = allRowsExpert;
        Parts = parts;
    }

    /// <summary><see cref="MoeRouteKind.Stacked"/>: the blocks of consecutive rows, in batch order, with their rules.</summary>
    public IReadOnlyList<(MoeRoute Route, int Rows)>? Parts { get; }

    public MoeRouteKind Kind { get; }

    /// <summary><see cref="MoeRouteKind.Grouped"/>: the group of each row (rows with equal ids are routed together); null:
    /// every row is a group of its own.</summary>
    public IReadOnlyList<int>? RowGroups { get; }

    /// <summary><see cref="MoeRouteKind.Forced"/>: the expert of each row; null when <see cref="AllRowsExpert"/> is set.</summary>
    public IReadOnlyList<int>? RowExperts { get; }

    /// <summary><see cref="MoeRouteKind.Forced"/>: one expert for every row.</summary>
    public int? AllRowsExpert { get; }

    public static MoeRoute Global { get; } = new(MoeRouteKind.Global, null, null, null);

    /// <summary>Every row routed on its own.</summary>
    public static MoeRoute EachRow { get; } = new(MoeRouteKind.Grouped, null, null, null);

    /// <summary>Rows routed per group; <paramref name="groupOfRow"/> has one group id per row.</summary>
    public static MoeRoute Grouped(params int[] groupOfRow)
    {
        if (groupOfRow.Length == 0) throw new ArgumentException("at least one row is needed", nameof(groupOfRow));
        return new(MoeRouteKind.Grouped, (int[])groupOfRow.Clone(), null, null);
    }

    /// <summary>Rows routed per group of <paramref name="rowsPerGroup"/> consecutive rows, <paramref name="rows"/> in all.</summary>
    public static MoeRoute Consecutive(int rows, int rowsPerGroup)
    {
        if (rowsPerGroup < 1 || rows % rowsPerGroup != 0)
            throw new ArgumentException($"{rows} rows cannot be split into groups of {rowsPerGroup}", nameof(rowsPerGroup));
        return Grouped(Enumerable.Range(0, rows).Select(r => r / rowsPerGroup).ToArray());
    }

    /// <summary>Row r uses expert <paramref name="expertOfRow"/>[r] alone (weight 1).</summary>
    public static MoeRoute Forced(params int[] expertOfRow)
    {
        if (expertOfRow.Length == 0) throw new ArgumentException("at least one row is needed", nameof(expertOfRow));
        if (expertOfRow.Any(e => e < 0)) throw new ArgumentException("expert indices must be >= 0", nameof(expertOfRow));
        return new(MoeRouteKind.Forced, null, (int[])expertOfRow.Clone(), null);
    }

    /// <summary>Every row uses expert <paramref name="expert"/> alone (weight 1).</summary>
    public static MoeRoute ForcedAll(int expert)
    {
        if (expert < 0) throw new ArgumentException("expert index must be >= 0", nameof(expert));
        return new(MoeRouteKind.Forced, null, null, expert);
    }

    /// <summary>The first <c>parts[0].Rows</c> rows follow <c>parts[0].Route</c>, the next block the second rule, and so on;
    /// each block is routed exactly as if it were the whole batch. A batch holding only the leading blocks is routed by them.</summary>
    public static MoeRoute Stack(params (MoeRoute Route, int Rows)[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("at least one block of rows is needed", nameof(parts));
        foreach (var (route, rows) in parts)
        {
            if (rows < 1) throw new ArgumentException($"a block of {rows} rows: every block needs at least one row", nameof(parts));
            if (route.Kind == MoeRouteKind.Stacked) throw new ArgumentException("stacked routes cannot be nested", nameof(parts));
        }
        return new(MoeRouteKind.Stacked, null, null, null, parts.ToArray());
    }

    public override string ToString() => Kind switch
    {
        MoeRouteKind.Stacked => "stacked [" + string.Join("; ", Parts!.Select(p => $"{p.Rows} rows {p.Route}")) + "]",
        MoeRouteKind.Global => "global",
        MoeRouteKind.Grouped => RowGroups is null ? "each row" : $"grouped [{string.Join(",", RowGroups)}]",
        _ => AllRowsExpert is int e ? $"forced {e}" : $"forced [{string.Join(",", RowExperts!)}]",
    };
}
