using System.CommandLine;
using System.Text.Json;
using Penumbra.Classifiers;
using Penumbra.Editing;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra classifier eval</c>: per-group, worst-group and average accuracy of a classifier folder on a split.</summary>
public static class ClassifierEvalCommand
{
    public static Command Create()
    {
        var data = new ClassifierData();
        var model = new Option<string>("--model") { Description = "Classifier folder (classifier.json + model.safetensors)", Required = true };
        var split = new Option<string>("--split") { Description = "val | test", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("eval", "Per-group accuracy of a classifier") { model, split, json };
        data.AddTo(cmd);
        cmd.SetAction(pr => Run(pr, data, pr.GetRequiredValue(model), pr.GetValue(split)!, pr.GetValue(json)));
        return cmd;
    }

    private static int Run(ParseResult pr, ClassifierData data, string modelDir, string split, bool asJson)
    {
        var (model, _) = ClassifierCheckpoint.Load(modelDir);
        var splits = data.Open(pr);
        var set = split switch
        {
            "val" => splits.Val,
            "test" => splits.Test,
            _ => throw new ArgumentException($"--split '{split}': expected val or test"),
        };
        var features = FeatureSet.Extract(model, set);
        var acc = GroupAccuracy.Of(LinearHead.Of(model).Predict(features.Features), features);
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(ClassifierJson.Accuracy(set, acc), new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }
        AnsiConsole.Write(ClassifierTables.Groups(set, new[] { (split, acc) }));
        return 0;
    }
}
