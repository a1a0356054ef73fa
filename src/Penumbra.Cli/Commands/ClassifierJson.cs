using Penumbra.Datasets;
using Penumbra.Editing;

namespace Penumbra.Cli.Commands;

/// <summary>JSON shapes of the classifier commands' output (snake_case keys).</summary>
public static class ClassifierJson
{
    public static object Accuracy(IGroupedImageSet set, GroupAccuracy acc) => new
    {
        worst_group = acc.Worst,
        average = acc.Average,
        groups = Enumerable.Range(0, acc.Groups).Select(g => new
        {
            group = ClassifierTables.GroupName(set.ClassNames, set.AttributeNames, g),
            n = acc.Counts[g],
            accuracy = double.IsNaN(acc.Of(g)) ? (double?)null : acc.Of(g),
        }).ToArray(),
    };

    public static object Edit(SingleWeightEdit e, double alpha) => new
    {
        strategy = e.Strategy,
        parameter = e.Parameter,
        index = e.Index,
        old_value = e.OldValue,
        new_value = e.ValueAt(alpha),
        degree = alpha,
        statistic = e.Statistic,
        subclass = new { class_index = e.Subclass.ClassIndex, attribute = e.Subclass.Attribute, source = e.Subclass.Source, members = e.Subclass.Members.Length, rest = e.Subclass.Rest.Length },
    };
}
