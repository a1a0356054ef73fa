namespace Penumbra.Audit;

/// <summary>SQLite journal mode of a database being written: WAL (fast, local disks) or DELETE (rollback journal,
/// for databases on NFS/SMB and other network file systems, where WAL's shared memory does not work).</summary>
public enum AuditJournal
{
    Wal,
    Delete,
}
