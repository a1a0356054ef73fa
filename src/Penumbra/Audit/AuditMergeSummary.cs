namespace Penumbra.Audit;

/// <summary>Result of a merge: inputs read, shard indices present out of <see cref="ShardCount"/>, prompts and result rows.</summary>
public sealed record AuditMergeSummary(int Inputs, IReadOnlyList<int> Shards, int ShardCount, long Prompts, long Results)
{
    public IReadOnlyList<int> MissingShards => Enumerable.Range(0, ShardCount).Except(Shards).ToList();
}
