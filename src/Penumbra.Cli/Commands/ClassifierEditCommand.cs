using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Penumbra.Classifiers;
using Penumbra.Editing;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>
/// <c>penumbra classifier edit</c>: the single-weight edit chosen on the validation split (strategy and degree by
/// worst-group accuracy, or given), applied to a copy, with the test per-group accuracy before and after and the
/// one weight that changed. <c>--out</c> saves the edited classifier.
/// </summary>
public static class ClassifierEditCommand
{
    public static Command Create()
    {
        var data = new ClassifierData();
        var model = new Option<string>("--model") { Description = "Classifier folder (classifier.json + model.safetensors)", Required = true };
        var strategy = new Option<string>("--strategy") { Description = "auto | H1 (class bias) | H2 (one feature weight)", DefaultValueFactory = _ => "auto" };
        var degree = new Option<string>("--degree") { Description = "auto (best validation worst-group accuracy over 0, 0.1, ..., 1) or a value in [0, 1]", DefaultValueFactory = _ => "auto" };
        var classOption = new Option<string?>("--class") { Description = "Class of the spurious sub-class (name or index); default: every class" };
        var attribute = new Option<string?>("--attribute") { Description = "Attribute of the sub-class (name or index); default: every attribute" };
        var noGroups = new Option<bool>("--no-group-labels") { Description = "Find the sub-class by 2-means clustering of the class's features instead of group labels" };
        var seed = new Option<int>("--seed") { Description = "Clustering seed", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Folder to save the edited classifier" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables" };
        var cmd = new Command("edit", "Neutralise a spurious feature by editing one weight of the classifier's last layer")
            { model, strategy, degree, classOption, attribute, noGroups, seed, output, json };
        data.AddTo(cmd);
        cmd.SetAction(pr => Run(pr, data, pr.GetRequiredValue(model), new EditOptions
        {
            Strategy = pr.GetValue(strategy)!,
            Degree = ParseDegree(pr.GetValue(degree)!),
            UseGroupLabels = !pr.GetValue(noGroups),
            Seed = pr.GetValue(seed),
        }, pr.GetValue(classOption), pr.GetValue(attribute), pr.GetValue(output), pr.GetValue(json)));
        return cmd;
    }

    public static double? ParseDegree(string text)
    {
        if (text == "auto") return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d is >= 0 and <= 1) return d;
        throw new ArgumentException($"--degree '{text}': expected auto or a number in [0, 1]");
    }

    private static int? Index(string? text, IReadOnlyList<string> names, string option)
    {
        if (text is null) return null;
        int i = names.ToList().IndexOf(text);
        if (i >= 0) return i;
        if (int.TryParse(text, out i) && i >= 0 && i < names.Count) return i;
        throw new ArgumentException($"{option} '{text}': expected one of {string.Join(", ", names)} or an index");
    }

    private static int Run(ParseResult pr, ClassifierData data, string modelDir, EditOptions options, string? className, string? attributeName, string? output, bool asJson)
    {
        var (model, info) = ClassifierCheckpoint.Load(modelDir);
        var splits = data.Open(pr);
        options = options with
        {
            ClassIndex = Index(className, splits.Val.ClassNames, "--class"),
            Attribute = Index(attributeName, options.UseGroupLabels ? splits.Val.AttributeNames : new[] { "other cluster", "high-margin cluster" }, "--attribute"),
        };
        var head = LinearHead.Of(model);
        var val = FeatureSet.Extract(model, splits.Val);
        var plan = SpuriousFeatureEditor.Plan(head, val, options);
        var edited = SpuriousFeatureEditor.Apply(model, plan.Edit, plan.Alpha);
        var changes = StateDictDiff.Compare(model, edited);
        var before = Accuracy(model, splits.Test);
        var after = Accuracy(edited, splits.Test);
        if (output is not null) ClassifierCheckpoint.Save(output, edited, info with { Data = $"{info.Data}; edited: {plan.Edit.Strategy} {plan.Edit.Location} alpha {plan.Alpha}" });
        var e = plan.Edit;
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                edit = ClassifierJson.Edit(e, plan.Alpha),
                changed_elements = changes.Count,
                candidates = plan.Candidates.Select(c => new { strategy = c.Edit.Strategy, location = c.Edit.Location, subclass = c.Edit.Subclass.ToString(), best_degree = c.BestAlpha, val_worst_group = c.Best.Worst, val_average = c.Best.Average }),
                test_before = ClassifierJson.Accuracy(splits.Test, before),
                test_after = ClassifierJson.Accuracy(splits.Test, after),
            }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }
        var sub = e.Subclass;
        string subName = $"{splits.Val.ClassNames[sub.ClassIndex]} / {(options.UseGroupLabels ? splits.Val.AttributeNames[sub.Attribute] : "high-margin cluster")}";
        AnsiConsole.MarkupLine($"[bold]{e.Strategy}[/] on sub-class {Markup.Escape(subName)} ({Markup.Escape(sub.Source)}, {sub.Members.Length} vs {sub.Rest.Length} validation samples)");
        AnsiConsole.MarkupLine($"changed {Markup.Escape(e.Location)}: {e.OldValue:G9} -> {e.ValueAt(plan.Alpha):G9} at degree {plan.Alpha:0.###} " +
            $"({(options.Degree is null ? "chosen on validation worst-group accuracy" : "given")}); state-dict elements changed: {changes.Count}");
        AnsiConsole.Write(ClassifierTables.Groups(splits.Test, new[] { ("test before", before), ($"test after {e.Strategy}", after) }));
        return 0;
    }

    private static GroupAccuracy Accuracy(ILinearHeadClassifier model, Penumbra.Datasets.IGroupedImageSet set)
    {
        var f = FeatureSet.Extract(model, set);
        return GroupAccuracy.Of(LinearHead.Of(model).Predict(f.Features), f);
    }
}
