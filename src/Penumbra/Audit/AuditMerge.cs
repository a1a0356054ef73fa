namespace Penumbra.Audit;

/// <summary>
/// Combines shard databases into one: all run configs must be equal, all shards must have the same N and no shard
/// may appear twice. Image paths are rewritten relative to the merged database. The output is built under a
/// temporary name (rollback journal, so it is one self-contained file on any file system) and renamed at the end,
/// so a failed merge leaves no half database.
/// </summary>
public static class AuditMerge
{
    public static AuditMergeSummary Merge(IReadOnlyList<string> inputs, string output)
    {
        if (inputs.Count == 0) throw new ArgumentException("audit merge: no input databases");
        if (File.Exists(output)) throw new InvalidOperationException($"{output} exists: merge writes a new database, choose another name or delete it");
        SortedDictionary<string, string>? config = null;
        string? first = null;
        var owner = new Dictionary<int, string>();
        int count = 0;
        foreach (var input in inputs)
        {
            using var db = AuditDatabase.Open(input);
            var c = db.ReadConfig();
            if (c.Count == 0) throw new InvalidDataException($"{input}: no run config (not an audit database, or a run that never started)");
            if (config == null) { config = c; first = input; }
            else
            {
                var diffs = RunConfig.Differences(config, c);
                if (diffs.Count > 0) throw new InvalidOperationException($"cannot merge {input} with {first}: the run configs differ ({string.Join("; ", diffs)})");
            }
            foreach (var shard in db.ReadShards())
            {
                if (count == 0) count = shard.Count;
                else if (shard.Count != count) throw new InvalidOperationException($"cannot merge {input}: shard {shard} is not one of {count} like the others");
                if (!owner.TryAdd(shard.Index, input)) throw new InvalidOperationException($"shard {shard} appears in both {owner[shard.Index]} and {input}");
            }
        }

        string partial = output + ".partial";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        foreach (var f in new[] { partial, partial + "-wal", partial + "-shm" }) File.Delete(f);
        using (var merged = AuditDatabase.Open(partial, create: true, AuditJournal.Delete))
        {
            merged.Initialize(config!, owner.Keys.Order().Select(k => new ShardSpec(k, count)));
            string outFolder = Path.GetDirectoryName(Path.GetFullPath(output))!;
            foreach (var input in inputs)
            {
                string inFolder = Path.GetDirectoryName(Path.GetFullPath(input))!;
                merged.Connection.CreateFunction("penumbra_rebase", (string? p) =>
                    p == null ? null : Path.GetRelativePath(outFolder, Path.GetFullPath(Path.Combine(inFolder, p))), isDeterministic: true);
                using (var attach = merged.Connection.CreateCommand())
                {
                    attach.CommandText = "ATTACH DATABASE $f AS src";
                    attach.Parameters.AddWithValue("$f", Path.GetFullPath(input));
                    attach.ExecuteNonQuery();
                }
                using (var tx = merged.Connection.BeginTransaction())
                using (var copy = merged.Connection.CreateCommand())
                {
                    copy.Transaction = tx;
                    copy.CommandText = """
                        INSERT OR IGNORE INTO prompts SELECT prompt_id, text, groups, label, line FROM src.prompts;
                        INSERT INTO results SELECT prompt_id, seed, image_index, scores, attributes,
                            penumbra_rebase(image_path), penumbra_rebase(map_path) FROM src.results;
                        """;
                    try { copy.ExecuteNonQuery(); }
                    catch (Microsoft.Data.Sqlite.SqliteException e)
                    {
                        throw new InvalidDataException($"cannot merge {input}: {e.Message} (do two inputs hold the same work?)");
                    }
                    tx.Commit();
                }
                merged.Execute("DETACH DATABASE src");
            }
        }
        File.Move(partial, output);
        foreach (var f in new[] { partial + "-wal", partial + "-shm" }) File.Delete(f);
        using var check = AuditDatabase.Open(output);
        return new AuditMergeSummary(inputs.Count, owner.Keys.Order().ToList(), count, check.CountPrompts(), check.CountResults());
    }
}
