namespace Penumbra.Audit;

/// <summary>
/// The flat column layout of an export: prompt_id, seed, image_index (-1 = the prompt-level row), prompt, label,
/// one <c>group_&lt;name&gt;</c> column per group, one column per score or image metric (its own name), one
/// <c>attr_&lt;name&gt;</c> column per attribute, image_path, map_path.
/// </summary>
public sealed record ExportLayout(IReadOnlyList<string> Groups, IReadOnlyList<string> Scores, IReadOnlyList<string> Attributes)
{
    public static readonly string[] Fixed = { "prompt_id", "seed", "image_index", "prompt", "label" };
    public static readonly string[] Tail = { "image_path", "map_path" };

    public static ExportLayout Of(AuditDatabase db)
    {
        var layout = new ExportLayout(db.DistinctKeys("prompts", "groups"), db.DistinctKeys("results", "scores"), db.DistinctKeys("results", "attributes"));
        var names = layout.ColumnNames();
        var dup = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new InvalidDataException($"{db.Path}: export column '{dup.Key}' would appear twice (a score named like a fixed column?)");
        return layout;
    }

    public List<string> ColumnNames() =>
        Fixed.Concat(Groups.Select(g => "group_" + g)).Concat(Scores).Concat(Attributes.Select(a => "attr_" + a)).Concat(Tail).ToList();

    /// <summary>Streams the joined rows ordered by (prompt_id, seed, image_index).</summary>
    public static IEnumerable<ExportRow> Rows(AuditDatabase db)
    {
        using var cmd = db.Connection.CreateCommand();
        cmd.CommandText = """
            SELECT r.prompt_id, r.seed, r.image_index, p.text, p.label, p.groups, r.scores, r.attributes, r.image_path, r.map_path
            FROM results r JOIN prompts p ON p.prompt_id = r.prompt_id ORDER BY r.prompt_id, r.seed, r.image_index
            """;
        using var r = cmd.ExecuteReader();
        while (r.Read())
            yield return new ExportRow(r.GetString(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4),
                ScoreJson.ReadStrings(r.GetString(5)), ScoreJson.ReadDoubles(r.GetString(6)), ScoreJson.ReadStrings(r.GetString(7)),
                r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));
    }
}
