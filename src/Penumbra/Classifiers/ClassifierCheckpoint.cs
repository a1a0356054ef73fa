using Penumbra.Configs;
using Penumbra.IO;

namespace Penumbra.Classifiers;

/// <summary>
/// Saves and loads any <see cref="ILinearHeadClassifier"/> as a folder: <c>classifier.json</c> (<see cref="ClassifierInfo"/>)
/// and <c>model.safetensors</c> (its state dict under its own key names, loaded strictly). The architecture string picks
/// the class: one switch, unknown names are an error naming the file.
/// </summary>
public static class ClassifierCheckpoint
{
    public const string InfoFileName = "classifier.json";
    public const string WeightsFileName = "model.safetensors";
    public static readonly string[] Architectures = { "toy-shape-cnn", "resnet18", "resnet50" };

    public static ILinearHeadClassifier Create(string architecture, int numClasses, string? source = null) => architecture switch
    {
        "toy-shape-cnn" => new ToyShapeCnn(new ToyShapeCnnConfig { NumClasses = numClasses, ClassNames = Array.Empty<string>() }),
        "resnet18" => new ResNet(new ResNetConfig { Depth = 18, NumClasses = numClasses }),
        "resnet50" => new ResNet(new ResNetConfig { Depth = 50, NumClasses = numClasses }),
        _ => throw new ArgumentException($"{source ?? "architecture"}: unknown classifier architecture '{architecture}' (known: {string.Join(", ", Architectures)})"),
    };

    public static void Save(string dir, ILinearHeadClassifier model, ClassifierInfo info)
    {
        Directory.CreateDirectory(dir);
        ConfigJson.Save(Path.Combine(dir, InfoFileName), info with { NumClasses = model.NumClasses });
        SafetensorsWriter.Save(Path.Combine(dir, WeightsFileName), model.Module.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
    }

    public static (ILinearHeadClassifier Model, ClassifierInfo Info) Load(string dir)
    {
        string infoPath = Path.Combine(dir, InfoFileName), weights = Path.Combine(dir, WeightsFileName);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: classifier folder not found");
        if (!File.Exists(infoPath)) throw new FileNotFoundException($"{infoPath}: not found (a classifier folder has {InfoFileName} and {WeightsFileName})");
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: not found");
        var info = ConfigJson.Load<ClassifierInfo>(infoPath);
        var model = Create(info.Architecture, info.NumClasses, infoPath);
        using (var source = SafetensorsTensorSource.Open(weights)) StateDictLoader.Load(model.Module, source);
        model.Module.eval();
        return (model, info);
    }

    /// <summary>Loads torchvision-exported weights (safetensors of a <c>state_dict()</c>) into a ResNet, e.g. ImageNet initialisation
    /// before fine-tuning; <c>fc</c> is replaced by a fresh head of <paramref name="numClasses"/> outputs when the counts differ.</summary>
    public static ILinearHeadClassifier FromTorchvision(string architecture, string weights, int numClasses)
    {
        var model = Create(architecture, numClasses);
        using var source = SafetensorsTensorSource.Open(weights);
        bool sameHead = source.Contains("fc.weight") && source.Shape("fc.weight")[0] == numClasses;
        var optional = sameHead ? Array.Empty<string>() : new[] { "fc.weight", "fc.bias" };
        var filtered = sameHead ? (ITensorSource)source : new ExcludingSource(source, optional);
        StateDictLoader.Load(model.Module, filtered, strict: true, optionalKeys: optional);
        return model;
    }

    private sealed class ExcludingSource(ITensorSource inner, string[] excluded) : ITensorSource
    {
        public string Description => inner.Description;
        public IEnumerable<string> Keys => inner.Keys.Where(k => !excluded.Contains(k));
        public bool Contains(string key) => !excluded.Contains(key) && inner.Contains(key);
        public long[] Shape(string key) => inner.Shape(key);
        public TorchSharp.torch.ScalarType DType(string key) => inner.DType(key);
        public TorchSharp.torch.Tensor Load(string key, TorchSharp.torch.ScalarType? dtype = null) => inner.Load(key, dtype);
    }
}
