using System.CommandLine;
using System.Text.Json;
using Penumbra.Classifiers;
using Penumbra.Editing;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra classifier train</c>: ERM (optionally group-reweighted) on the training split, saved as a classifier folder.</summary>
public static class ClassifierTrainCommand
{
    public static Command Create()
    {
        var data = new ClassifierData();
        var train = new ClassifierTrainOptions();
        var output = new Option<string>("--out") { Description = "Folder to write classifier.json + model.safetensors", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation and shuffling", DefaultValueFactory = _ => 0 };
        var balanced = new Option<bool>("--balanced") { Description = "Group-balanced reweighting of the loss (baseline)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("train", "Train a classifier with ERM on the training split and report validation group accuracy") { output, seed, balanced, json };
        data.AddTo(cmd);
        train.AddTo(cmd);
        cmd.SetAction((pr, ct) => Task.FromResult(Run(pr, data, train, pr.GetRequiredValue(output), pr.GetValue(seed), pr.GetValue(balanced), pr.GetValue(json), ct)));
        return cmd;
    }

    private static int Run(ParseResult pr, ClassifierData data, ClassifierTrainOptions train, string output, int seed, bool balanced, bool asJson, CancellationToken ct)
    {
        var splits = data.Open(pr);
        var model = train.Create(pr, splits.Train.NumClasses, seed);
        var options = train.Read(pr, seed, balanced);
        var progress = new InlineProgress<TrainProgress>(p =>
        {
            if (p.Step % Math.Max(1, p.TotalSteps / options.Epochs) == 0) Console.Error.WriteLine($"epoch {p.Epoch + 1}/{options.Epochs}: loss {p.Loss:F4}");
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var losses = ClassifierTrainer.Train(model, splits.Train, options, progress, ct);
        ClassifierCheckpoint.Save(output, model, new ClassifierInfo
        {
            Architecture = pr.GetValue(train.Arch)!,
            ClassNames = splits.Train.ClassNames.ToArray(),
            AttributeNames = splits.Train.AttributeNames.ToArray(),
            Data = splits.Description,
        });
        var val = GroupAccuracy.Of(LinearHead.Of(model).Predict(FeatureSet.Extract(model, splits.Val).Features), splits.Val.Labels, splits.Val.Attributes,
            splits.Val.NumClasses, splits.Val.NumAttributes);
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { output, seconds = sw.Elapsed.TotalSeconds, epoch_losses = losses, val_worst_group = val.Worst, val_average = val.Average },
                new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }
        AnsiConsole.MarkupLine($"trained {Markup.Escape(pr.GetValue(train.Arch)!)} in {sw.Elapsed.TotalSeconds:F0} s, final loss {losses[^1]:F4}; saved to {Markup.Escape(output)}");
        AnsiConsole.Write(ClassifierTables.Groups(splits.Val, new[] { ("validation", val) }));
        return 0;
    }
}
