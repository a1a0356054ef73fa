using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Clip;
using Penumbra.Tokenizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>
/// MoESD-BiAs for a CLIP text encoder: the bias subspace and gate, <see cref="BiasAdapterConfig.Experts"/> adapter
/// experts and the special token's embedding row (<c>special_token</c>, [d]). Saved as a folder:
/// <c>adapter_config.json</c> + <c>adapters.safetensors</c> (the experts, the token row and the subspace's P and u).
/// <see cref="Attach"/> hooks it into any compatible encoder without changing the encoder's code or weights.
/// <code>
/// using var mixture = BiasAdapterMixture.Load("adapters");
/// using var attached = mixture.Attach(pipeline.TextEncoder, pipeline.Tokenizer);
/// var result = pipeline.Generate(options);          // prompts are routed, adapted and tokened inside the encoder
/// var routes = attached.Route(new[] { "a circle" });  // the gate's decisions for reports
/// </code>
/// </summary>
public sealed class BiasAdapterMixture : nn.Module
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapters.safetensors";

    private readonly ModuleList<BiasAdapterExpert> experts;
    private readonly Parameter special_token;

    /// <summary>New, untrained experts (zero update) from a generator seeded with <paramref name="seed"/>; the token row
    /// starts as N(0, 0.02²), transformers' embedding init.</summary>
    public BiasAdapterMixture(BiasAdapterConfig config, BiasSubspace subspace, long seed = 0) : base(nameof(BiasAdapterMixture))
    {
        config.Validate();
        if (subspace.Dimension != config.HiddenSize)
            throw new ArgumentException($"bias subspace has dimension {subspace.Dimension}, the adapters hidden size {config.HiddenSize}");
        Config = config with { CalibratedExplicitThreshold = subspace.ExplicitThreshold };
        Subspace = subspace;
        using var generator = new Generator((ulong)seed);
        experts = new ModuleList<BiasAdapterExpert>();
        for (int e = 0; e < config.Experts; e++)
            experts.Add(new BiasAdapterExpert(config.HiddenSize, config.Rank, config.AdaptedLayers, config.LayerNormEps, generator));
        special_token = new Parameter(normal(0.0, 0.02, new long[] { config.HiddenSize }, generator: generator), config.TrainSpecialToken);
        RegisterComponents();
        Gate = new BiasIdentificationGate(subspace, config.Gate, config.Experts);
    }

    public BiasAdapterConfig Config { get; }
    public BiasSubspace Subspace { get; }
    public BiasIdentificationGate Gate { get; }

    public BiasAdapterExpert Expert(int index) => experts[index];
    public int ExpertCount => experts.Count;

    /// <summary>The special token's embedding row [d].</summary>
    public Tensor SpecialTokenEmbedding => special_token;

    /// <summary>The parameters that train: every adapter, and the token row when <see cref="BiasAdapterConfig.TrainSpecialToken"/>.</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>A mixture for <paramref name="textEncoder"/>: the subspace is built from its EOS states (no hooks).</summary>
    public static BiasAdapterMixture Create(ClipTextModel textEncoder, ClipTokenizer tokenizer, BiasAdapterConfig config, long seed = 0)
    {
        var c = config with { HiddenSize = textEncoder.Config.HiddenSize, NumHiddenLayers = textEncoder.Config.NumHiddenLayers,
            LayerNormEps = textEncoder.Config.LayerNormEps };
        var subspace = BiasSubspace.Build(prompts => EosStates(textEncoder, tokenizer, prompts), c.Subspace);
        return new BiasAdapterMixture(c, subspace, seed);
    }

    /// <summary>The encoder's pooled (EOS, after the final layer norm) states [n, d] of the prompts, under no_grad.</summary>
    public static Tensor EosStates(ClipTextModel textEncoder, ClipTokenizer tokenizer, IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = prompts.Select(p => tokenizer.EncodeForModel(p).Ids).ToArray();
        var device = textEncoder.parameters().First().device;
        var input = tensor(ids.SelectMany(x => x).ToArray(), new long[] { ids.Length, ids[0].Length }, ScalarType.Int64, device);
        using var output = textEncoder.Forward(input);
        return scope.MoveToOuter(output.PooledOutput.detach().clone());
    }

    /// <summary>Hooks the mixture into <paramref name="textEncoder"/> and adds the special token to <paramref name="tokenizer"/>;
    /// disposing the result restores both behaviours (the token stays in the tokenizer's vocabulary).</summary>
    public BiasAdapterAttachment Attach(ClipTextModel textEncoder, ClipTokenizer tokenizer) => new(this, textEncoder, tokenizer);

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        ConfigJson.Save(Path.Combine(folder, ConfigFile), Config);
        var tensors = new Dictionary<string, Tensor>(state_dict());
        foreach (var (k, v) in Subspace.Tensors()) tensors[k] = v;
        SafetensorsWriter.Save(Path.Combine(folder, WeightsFile), tensors);
    }

    /// <summary>Loads an adapter folder (strict: every key present, none unknown, shapes checked). <paramref name="inference"/>
    /// may change inference-only settings of the saved config (token appending, gate options) for ablations.</summary>
    public static BiasAdapterMixture Load(string folder, Device? device = null, Func<BiasAdapterConfig, BiasAdapterConfig>? inference = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: adapter folder not found");
        string configPath = Path.Combine(folder, ConfigFile), weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{configPath}: adapter config not found (is this a `penumbra debias train` output folder?)");
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"{weightsPath}: adapter weights not found");
        var saved = ConfigJson.Load<BiasAdapterConfig>(configPath);
        var config = inference?.Invoke(saved) ?? saved;
        if (config with { AppendSpecialToken = saved.AppendSpecialToken, Gate = saved.Gate } != saved)
            throw new ArgumentException("only inference settings (special token appending, gate options) may be changed when loading adapters");
        try { config.Validate(); }
        catch (ArgumentException e) { throw new CheckpointFormatException(configPath, e.Message); }
        using var source = SafetensorsTensorSource.Open(weightsPath);
        foreach (var key in new[] { BiasSubspace.ProjectionKey, BiasSubspace.AxisKey })
            if (!source.Contains(key)) throw new CheckpointFormatException(weightsPath, $"missing key '{key}'");
        var subspace = new BiasSubspace(source.Load(BiasSubspace.ProjectionKey, ScalarType.Float64), source.Load(BiasSubspace.AxisKey, ScalarType.Float64),
            config.CalibratedExplicitThreshold, config.Subspace);
        var mixture = new BiasAdapterMixture(config, subspace);
        StateDictLoader.Load(mixture, source, optionalKeys: new[] { BiasSubspace.ProjectionKey, BiasSubspace.AxisKey });
        if (device is not null) mixture.to(device);
        return mixture;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Subspace.Dispose();
        base.Dispose(disposing);
    }
}
