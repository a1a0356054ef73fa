namespace Penumbra.Audit;

/// <summary>Progress of a run in work units (prompt x seed) of this shard: done so far (committed now or found
/// committed by a resume), of which found already done, and the expected total when known.</summary>
public readonly record struct AuditProgress(long Done, long AlreadyDone, long? Total);
