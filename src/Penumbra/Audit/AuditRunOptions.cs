namespace Penumbra.Audit;

/// <summary>Options of an audit run. <see cref="PromptSettings"/> identifies the prompt set (file hash, columns,
/// template...) and becomes part of the run config.</summary>
public sealed record AuditRunOptions
{
    public required string DatabasePath { get; init; }
    public IReadOnlyDictionary<string, string> PromptSettings { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<long> Seeds { get; init; } = new long[] { 0 };
    public int Images { get; init; }
    public int BatchSize { get; init; } = 16;
    public ShardSpec Shard { get; init; } = ShardSpec.All;
    /// <summary>Continue an existing database (skipping committed work units); without it an existing database is an error.</summary>
    public bool Resume { get; init; }
    /// <summary>Folder for images and uncertainty maps; default "&lt;database&gt;.images" beside the database.</summary>
    public string? ImageFolder { get; init; }
    /// <summary>Journal mode: WAL by default; DELETE for a database on a network file system.</summary>
    public AuditJournal Journal { get; init; } = AuditJournal.Wal;
}
