namespace Penumbra.Audit;

/// <summary>What a run did: work units of its shard, units scored now, units found already committed, rows written.</summary>
public sealed record AuditRunSummary(long Units, long Scored, long AlreadyDone, long RowsWritten);
