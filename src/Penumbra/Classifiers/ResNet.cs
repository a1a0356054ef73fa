using Penumbra.Configs;
using Penumbra.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Classifiers;

/// <summary>
/// torchvision's ResNet with its key names (<c>conv1, bn1, layer1..layer4.{i}.{conv,bn}{1,2,3}, downsample.0/1, fc</c>),
/// so an exported torchvision <c>state_dict()</c> saved as safetensors loads strictly. Batch-norm running statistics
/// (<c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) are persistent buffers, as in PyTorch.
/// Weight initialisation follows torchvision (Kaiming-normal fan-out convolutions, BN weight 1 / bias 0).
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, ILinearHeadClassifier
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;

    public ResNetConfig Config { get; }

    public ResNet(ResNetConfig config) : base(nameof(ResNet))
    {
        Config = config;
        var (layers, bottleneck) = config.Layout();
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        long inplanes = 64;
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64);
        layer1 = MakeLayer(ref inplanes, 64, layers[0], 1, bottleneck, expansion);
        layer2 = MakeLayer(ref inplanes, 128, layers[1], 2, bottleneck, expansion);
        layer3 = MakeLayer(ref inplanes, 256, layers[2], 2, bottleneck, expansion);
        layer4 = MakeLayer(ref inplanes, 512, layers[3], 2, bottleneck, expansion);
        fc = nn.Linear(512L * expansion, config.NumClasses);
        RegisterComponents();
        InitWeights();
    }

    public nn.Module<Tensor, Tensor> Module => this;
    public string HeadName => nameof(fc);
    public Linear Head => fc;
    public int NumClasses => Config.NumClasses;
    public int FeatureDim => (int)fc.in_features;

    private static Sequential MakeLayer(ref long inplanes, long planes, int blocks, long stride, bool bottleneck, int expansion)
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < blocks; i++)
        {
            long s = i == 0 ? stride : 1;
            Sequential? down = null;
            if (i == 0 && (stride != 1 || inplanes != planes * expansion))
                down = nn.Sequential(nn.Conv2d(inplanes, planes * expansion, 1, stride: stride, bias: false), nn.BatchNorm2d(planes * expansion));
            modules.Add(bottleneck ? new Bottleneck(inplanes, planes, s, down) : new BasicBlock(inplanes, planes, s, down));
            inplanes = planes * expansion;
        }
        return nn.Sequential(modules);
    }

    private void InitWeights()
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in named_modules())
        {
            if (m is Conv2d c) nn.init.kaiming_normal_(c.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            else if (m is BatchNorm2d b) { b.weight!.fill_(1); b.bias!.zero_(); }
        }
    }

    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(nn.functional.relu(bn1.call(conv1.call(x))), 3, 2, 1);
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        return scope.MoveToOuter(nn.functional.adaptive_avg_pool2d(h, 1).flatten(1));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(fc.call(Features(x)));
    }

    public ILinearHeadClassifier Copy()
    {
        var copy = new ResNet(Config);
        copy.to(fc.weight!.dtype).to(fc.weight!.device);
        copy.load_state_dict(state_dict(), strict: true);
        if (!training) copy.eval();
        return copy;
    }

    /// <summary>Loads <c>config.json</c> + <c>model.safetensors</c> from a folder, or a bare safetensors file with the given config.</summary>
    public static ResNet FromPretrained(string path, ResNetConfig? config = null)
    {
        string weights = Directory.Exists(path) ? Path.Combine(path, WeightsFileName) : path;
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: no ResNet weights file");
        string configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weights))!, ConfigFileName);
        config ??= File.Exists(configPath) ? ConfigJson.Load<ResNetConfig>(configPath)
            : throw new FileNotFoundException($"{configPath}: no ResNet config beside {weights} (or pass the depth and class count)");
        var model = new ResNet(config);
        using (var source = SafetensorsTensorSource.Open(weights)) StateDictLoader.Load(model, source);
        model.eval();
        return model;
    }

    public void SavePretrained(string dir)
    {
        Directory.CreateDirectory(dir);
        ConfigJson.Save(Path.Combine(dir, ConfigFileName), Config);
        SafetensorsWriter.Save(Path.Combine(dir, WeightsFileName), state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
    }
}
