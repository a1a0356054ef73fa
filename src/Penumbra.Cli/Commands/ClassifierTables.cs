using Penumbra.Datasets;
using Penumbra.Editing;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>Spectre tables of per-group accuracy (before / after an edit) for the classifier commands.</summary>
public static class ClassifierTables
{
    public static string GroupName(IReadOnlyList<string> classes, IReadOnlyList<string> attributes, int g) =>
        $"{classes[g / attributes.Count]} / {attributes[g % attributes.Count]}";

    public static Table Groups(IGroupedImageSet set, IReadOnlyList<(string Name, GroupAccuracy Accuracy)> columns)
    {
        var table = new Table().AddColumn("group").AddColumn(new TableColumn("n").RightAligned());
        foreach (var (name, _) in columns) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        var first = columns[0].Accuracy;
        for (int g = 0; g < first.Groups; g++)
            table.AddRow(new[] { Markup.Escape(GroupName(set.ClassNames, set.AttributeNames, g)), first.Counts[g].ToString() }
                .Concat(columns.Select(c => Pct(c.Accuracy.Of(g)))).ToArray());
        table.AddRow(new[] { "[bold]worst group[/]", "" }.Concat(columns.Select(c => $"[bold]{Pct(c.Accuracy.Worst)}[/]")).ToArray());
        table.AddRow(new[] { "average", first.Counts.Sum().ToString() }.Concat(columns.Select(c => Pct(c.Accuracy.Average))).ToArray());
        return table;
    }

    public static string Pct(double v) => double.IsNaN(v) ? "-" : $"{100 * v:F1}";
}
