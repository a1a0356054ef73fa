using System.CommandLine;
using Penumbra.Classifiers;
using TorchSharp;

namespace Penumbra.Cli.Commands;

/// <summary>Training options shared by <c>classifier train</c> and <c>classifier report</c>.</summary>
public sealed class ClassifierTrainOptions
{
    public Option<string> Arch { get; } = new("--arch") { Description = "toy-shape-cnn | resnet18 | resnet50", DefaultValueFactory = _ => "toy-shape-cnn" };
    public Option<string?> Init { get; } = new("--init") { Description = "torchvision weights (.safetensors) to start from (ResNets)" };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 10 };
    public Option<double> Lr { get; } = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 2e-3 };
    public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => 1e-4 };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "adamw | sgd", DefaultValueFactory = _ => "adamw" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Batch size", DefaultValueFactory = _ => 64 };
    public Option<string> Device { get; } = new("--device") { Description = "cpu | cuda | cuda:N", DefaultValueFactory = _ => "cpu" };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Arch, Init, Epochs, Lr, WeightDecay, Optimizer, BatchSize, Device }) cmd.Options.Add(o);
    }

    public TrainOptions Read(ParseResult pr, int seed, bool balanced) => new()
    {
        Optimizer = pr.GetValue(Optimizer)!,
        LearningRate = pr.GetValue(Lr),
        WeightDecay = pr.GetValue(WeightDecay),
        Epochs = pr.GetValue(Epochs),
        BatchSize = pr.GetValue(BatchSize),
        Seed = seed,
        GroupBalanced = balanced,
    };

    /// <summary>A freshly initialised classifier (seeded), on the chosen device.</summary>
    public ILinearHeadClassifier Create(ParseResult pr, int numClasses, int seed)
    {
        TorchSharp.torch.manual_seed(seed);
        string arch = pr.GetValue(Arch)!;
        var model = pr.GetValue(Init) is string init
            ? ClassifierCheckpoint.FromTorchvision(arch, init, numClasses)
            : ClassifierCheckpoint.Create(arch, numClasses, "--arch");
        model.Module.to(new TorchSharp.torch.Device(pr.GetValue(Device)!));
        return model;
    }
}
