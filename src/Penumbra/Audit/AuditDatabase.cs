using Microsoft.Data.Sqlite;

namespace Penumbra.Audit;

/// <summary>
/// The SQLite store of an audit run (WAL journal unless told otherwise, synchronous=FULL): <c>run_config</c> (key/value settings that a
/// resume or merge must match), <c>shards</c> (the k/N slices it holds), <c>prompts</c> and <c>results</c> with the
/// unique key (prompt_id, seed, image_index). Each batch is one transaction, so a killed run leaves whole work units.
/// </summary>
public sealed class AuditDatabase : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS run_config(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS shards(shard TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS prompts(prompt_id TEXT PRIMARY KEY, text TEXT NOT NULL, groups TEXT NOT NULL,
            label TEXT NOT NULL, line INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS results(prompt_id TEXT NOT NULL, seed INTEGER NOT NULL, image_index INTEGER NOT NULL,
            scores TEXT NOT NULL, attributes TEXT NOT NULL, image_path TEXT, map_path TEXT,
            PRIMARY KEY(prompt_id, seed, image_index)) WITHOUT ROWID;
        """;

    private readonly SqliteConnection connection;
    private SqliteCommand? doneQuery;

    public string Path { get; }
    public string Folder => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;

    private AuditDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    /// <summary>Opens (or with <paramref name="create"/> creates) an audit database. <paramref name="journal"/> sets
    /// the journal mode of a database being written: <see cref="AuditJournal.Wal"/> (default), or
    /// <see cref="AuditJournal.Delete"/> for network file systems, where SQLite's WAL does not work; null leaves it.</summary>
    public static AuditDatabase Open(string path, bool create = false, AuditJournal? journal = null)
    {
        if (!create && !File.Exists(path)) throw new FileNotFoundException($"{path}: audit database not found");
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var db = new AuditDatabase(path, connection);
        try
        {
            if (journal != null) db.Execute($"PRAGMA journal_mode={(journal == AuditJournal.Wal ? "WAL" : "DELETE")};");
            db.Execute("PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
            db.Execute(Schema);
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new InvalidDataException($"{path}: not an audit database ({e.Message})");
        }
        return db;
    }

    internal SqliteConnection Connection => connection;

    public void Execute(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>The stored run config, empty for a new database.</summary>
    public SortedDictionary<string, string> ReadConfig()
    {
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT key, value FROM run_config";
        using var r = cmd.ExecuteReader();
        while (r.Read()) config[r.GetString(0)] = r.GetString(1);
        return config;
    }

    public List<ShardSpec> ReadShards()
    {
        var shards = new List<ShardSpec>();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT shard FROM shards";
        using var r = cmd.ExecuteReader();
        while (r.Read()) shards.Add(ShardSpec.Parse(r.GetString(0)));
        return shards.OrderBy(s => s.Index).ToList();
    }

    /// <summary>Writes the run config and shard list of a new database in one transaction.</summary>
    public void Initialize(IReadOnlyDictionary<string, string> config, IEnumerable<ShardSpec> shards)
    {
        using var tx = connection.BeginTransaction();
        foreach (var (key, value) in config)
            Run(tx, "INSERT INTO run_config(key, value) VALUES($k, $v)", ("$k", key), ("$v", value));
        foreach (var shard in shards)
            Run(tx, "INSERT INTO shards(shard) VALUES($s)", ("$s", shard.ToString()));
        tx.Commit();
    }

    /// <summary>True when the prompt-level row of (prompt, seed) exists, i.e. that work unit was committed.</summary>
    public bool IsDone(string promptId, long seed)
    {
        if (doneQuery == null)
        {
            doneQuery = connection.CreateCommand();
            doneQuery.CommandText = "SELECT 1 FROM results WHERE prompt_id = $p AND seed = $s AND image_index = -1";
            doneQuery.Parameters.Add("$p", SqliteType.Text);
            doneQuery.Parameters.Add("$s", SqliteType.Integer);
            doneQuery.Prepare();
        }
        doneQuery.Parameters["$p"].Value = promptId;
        doneQuery.Parameters["$s"].Value = seed;
        return doneQuery.ExecuteScalar() != null;
    }

    /// <summary>Writes prompts and result rows in one transaction (all or nothing).</summary>
    public void WriteBatch(IEnumerable<StoredPrompt> prompts, IEnumerable<StoredResult> results)
    {
        using var tx = connection.BeginTransaction();
        using var p = connection.CreateCommand();
        p.Transaction = tx;
        p.CommandText = "INSERT OR IGNORE INTO prompts(prompt_id, text, groups, label, line) VALUES($id, $t, $g, $l, $n)";
        foreach (var prompt in prompts)
        {
            p.Parameters.Clear();
            p.Parameters.AddWithValue("$id", prompt.PromptId);
            p.Parameters.AddWithValue("$t", prompt.Text);
            p.Parameters.AddWithValue("$g", prompt.Groups);
            p.Parameters.AddWithValue("$l", prompt.Label);
            p.Parameters.AddWithValue("$n", prompt.Line);
            p.ExecuteNonQuery();
        }
        using var r = connection.CreateCommand();
        r.Transaction = tx;
        r.CommandText = "INSERT INTO results(prompt_id, seed, image_index, scores, attributes, image_path, map_path) VALUES($p, $s, $i, $sc, $a, $ip, $mp)";
        foreach (var row in results)
        {
            r.Parameters.Clear();
            r.Parameters.AddWithValue("$p", row.PromptId);
            r.Parameters.AddWithValue("$s", row.Seed);
            r.Parameters.AddWithValue("$i", row.ImageIndex);
            r.Parameters.AddWithValue("$sc", row.Scores);
            r.Parameters.AddWithValue("$a", row.Attributes);
            r.Parameters.AddWithValue("$ip", (object?)row.ImagePath ?? DBNull.Value);
            r.Parameters.AddWithValue("$mp", (object?)row.MapPath ?? DBNull.Value);
            r.ExecuteNonQuery();
        }
        tx.Commit();
    }

    public long CountResults(bool promptLevelOnly = false) =>
        (long)Scalar(promptLevelOnly ? "SELECT COUNT(*) FROM results WHERE image_index = -1" : "SELECT COUNT(*) FROM results")!;

    public long CountPrompts() => (long)Scalar("SELECT COUNT(*) FROM prompts")!;

    /// <summary>Streams the results ordered by (prompt_id, seed, image_index).</summary>
    public IEnumerable<StoredResult> ReadResults()
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT prompt_id, seed, image_index, scores, attributes, image_path, map_path FROM results ORDER BY prompt_id, seed, image_index";
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new StoredResult(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6));
    }

    /// <summary>Streams the prompts ordered by prompt_id.</summary>
    public IEnumerable<StoredPrompt> ReadPrompts()
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT prompt_id, text, groups, label, line FROM prompts ORDER BY prompt_id";
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return new StoredPrompt(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4));
    }

    /// <summary>The distinct keys of a JSON column (scores, attributes of results; groups of prompts), sorted.</summary>
    public List<string> DistinctKeys(string table, string column, string? where = null)
    {
        if (!(table is "results" or "prompts") || !(column is "scores" or "attributes" or "groups"))
            throw new ArgumentException($"unknown JSON column {table}.{column}");
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT DISTINCT j.key FROM {table}, json_each({table}.{column}) AS j {(where == null ? "" : "WHERE " + where)} ORDER BY j.key";
        using var r = cmd.ExecuteReader();
        var keys = new List<string>();
        while (r.Read()) keys.Add(r.GetString(0));
        return keys;
    }

    private object? Scalar(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private void Run(SqliteTransaction tx, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        doneQuery?.Dispose();
        connection.Dispose();
    }
}
