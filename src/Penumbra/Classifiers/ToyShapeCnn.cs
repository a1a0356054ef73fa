using Penumbra.Configs;
using Penumbra.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Classifiers;

/// <summary>
/// The toy world's shape classifier: stages of 3×3 convolution (no bias) + batch norm + ReLU (stride 1, then 2),
/// global average pooling, and a final linear layer <c>fc</c> whose input is the penultimate feature vector (what the
/// single-weight editors change). Keys: <c>features.{3i}.weight</c> (conv), <c>features.{3i+1}.*</c> (batch norm with
/// running statistics), <c>fc.weight</c>, <c>fc.bias</c>. Input: images [N,3,H,W] in [-1,1], any H, W.
/// </summary>
public sealed class ToyShapeCnn : nn.Module<Tensor, Tensor>, ILinearHeadClassifier
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "model.safetensors";

    private readonly Sequential features;
    private readonly Linear fc;

    public ToyShapeCnnConfig Config { get; }

    public ToyShapeCnn(ToyShapeCnnConfig config) : base(nameof(ToyShapeCnn))
    {
        config.Validate();
        Config = config;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long inChannels = 3;
        for (int i = 0; i < config.Channels.Length; i++)
        {
            layers.Add(nn.Conv2d(inChannels, config.Channels[i], 3, stride: i == 0 ? 1 : 2, padding: 1, bias: false));
            layers.Add(nn.BatchNorm2d(config.Channels[i]));
            layers.Add(nn.ReLU());
            inChannels = config.Channels[i];
        }
        features = nn.Sequential(layers);
        fc = nn.Linear(inChannels, config.NumClasses);
        RegisterComponents();
    }

    /// <summary>
    /// Re-initialises every convolution and linear weight (and the linear bias) from U(−1/√fan_in, 1/√fan_in), PyTorch's
    /// default initialisation, drawn from a generator of the given seed, and batch norm to weight 1, bias 0, identity
    /// statistics: deterministic without touching (or racing for) the global torch generator.
    /// </summary>
    public void ResetParameters(long seed)
    {
        using var noGrad = no_grad();
        using var gen = new Generator((ulong)seed);
        foreach (var (_, m) in named_modules())
        {
            if (m is Conv2d or Linear)
            {
                var w = m is Conv2d c ? c.weight! : ((Linear)m).weight!;
                double bound = 1 / Math.Sqrt(w[0].numel());
                using (var r = rand(w.shape, generator: gen)) w.copy_(r * (2 * bound) - bound);
                if (m is Linear { bias: { } b })
                    using (var r = rand(b.shape, generator: gen)) b.copy_(r * (2 * bound) - bound);
            }
            else if (m is BatchNorm2d bn)
            {
                bn.weight!.fill_(1);
                bn.bias!.zero_();
                bn.reset_running_stats();
            }
        }
    }

    public nn.Module<Tensor, Tensor> Module => this;
    public string HeadName => nameof(fc);
    public Linear Head => fc;
    public int NumClasses => Config.NumClasses;
    public int FeatureDim => (int)fc.in_features;

    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(features.call(x).mean(new long[] { 2, 3 }));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(fc.call(Features(x)));
    }

    /// <summary>Predicted class indices of images [N,3,H,W] in [-1,1] (eval mode, no gradients, batches of 512).</summary>
    public long[] Predict(Tensor images)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var noGrad = inference_mode();
            var result = new List<long>();
            for (long start = 0; start < images.shape[0]; start += 512)
            {
                using var scope = NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(512, images.shape[0] - start)).to(fc.weight!.dtype).to(fc.weight!.device);
                result.AddRange(call(batch).argmax(1).cpu().data<long>().ToArray());
            }
            return result.ToArray();
        }
        finally
        {
            if (wasTraining) train();
        }
    }

    public ILinearHeadClassifier Copy()
    {
        var copy = new ToyShapeCnn(Config);
        copy.to(fc.weight!.dtype).to(fc.weight!.device);
        copy.load_state_dict(state_dict(), strict: true);
        if (!training) copy.eval();
        return copy;
    }

    /// <summary>Loads <c>config.json</c> + <c>model.safetensors</c> from a folder (strict key, shape and dtype checks).</summary>
    public static ToyShapeCnn FromPretrained(string dir)
    {
        string configPath = Path.Combine(dir, ConfigFileName), weights = Path.Combine(dir, WeightsFileName);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: toy shape CNN folder not found");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: not found (a toy shape CNN folder has {ConfigFileName} and {WeightsFileName})");
        if (!File.Exists(weights)) throw new FileNotFoundException($"{weights}: not found");
        var config = ConfigJson.Load<ToyShapeCnnConfig>(configPath);
        config.Validate(configPath);
        var model = new ToyShapeCnn(config);
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
