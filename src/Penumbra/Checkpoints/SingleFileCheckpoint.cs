using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.Checkpoints;

/// <summary>
/// An original-layout (CompVis / A1111 / CivitAI) Stable Diffusion 1.x / 2.x <c>.safetensors</c> file, opened as
/// diffusers' <c>from_single_file</c> reads it: the architecture from an original yaml or inferred from the tensor shapes
/// (<see cref="LdmArchitecture"/>), and each component as a lazy diffusers-keyed view of the file
/// (<see cref="ConvertedTensorSource"/>). Nothing is read until a component is loaded; weights stay in their stored
/// dtype until they are copied into a model in the compute dtype.
/// </summary>
public sealed class SingleFileCheckpoint : IDisposable
{
    private readonly StreamedSafetensors _file;

    private SingleFileCheckpoint(StreamedSafetensors file, SingleFileLayout layout, LdmModelConfigs configs)
    {
        _file = file;
        Layout = layout;
        Configs = configs;
        UNet = new ConvertedTensorSource(file, "unet", LdmPrefixes.UNet, LdmUNetKeys.Build(configs.UNet), layout.UNet);
        if (configs.Vae is not null) Vae = new ConvertedTensorSource(file, "vae", LdmPrefixes.Vae, LdmVaeKeys.Build(configs.Vae), layout.Vae);
        if (configs.TextEncoder is not null)
            TextEncoder = configs.TextEncoderKind == LdmTextEncoderKind.Clip
                ? new ConvertedTensorSource(file, "text_encoder", LdmPrefixes.Clip, LdmTextKeys.Clip(), layout.TextEncoder)
                : new ConvertedTensorSource(file, "text_encoder", LdmPrefixes.OpenClip, LdmTextKeys.OpenClip(configs.TextEncoder.NumHiddenLayers), layout.TextEncoder);
    }

    public string Path => _file.Description;
    public SingleFileLayout Layout { get; }
    public LdmModelConfigs Configs { get; }
    public ConvertedTensorSource UNet { get; }
    public ConvertedTensorSource? Vae { get; }
    public ConvertedTensorSource? TextEncoder { get; }
    public IReadOnlyList<string> Notes => Layout.Notes;

    /// <summary>The floating-point dtype most of the weights are stored in.</summary>
    public ScalarType StoredDType =>
        Components.SelectMany(c => c.Keys.Select(c.DType)).Where(is_floating_point).GroupBy(t => t)
            .OrderByDescending(g => g.Count()).Select(g => g.Key).DefaultIfEmpty(ScalarType.Float32).First();

    public IEnumerable<ConvertedTensorSource> Components =>
        new[] { UNet, Vae, TextEncoder }.Where(c => c is not null).Select(c => c!);

    /// <summary>True for a <c>.safetensors</c> file whose keys are in the original layout (not a diffusers weight file).</summary>
    public static bool IsSingleFile(string path)
    {
        if (!File.Exists(path) || !path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return false;
        using var file = SafetensorsFile.Open(path);
        return file.Keys.Any(k => k.StartsWith(LdmPrefixes.UNet, StringComparison.Ordinal) || k.StartsWith(LdmPrefixes.Ema, StringComparison.Ordinal)
                                  || k.StartsWith(LdmPrefixes.Vae, StringComparison.Ordinal) || k.StartsWith("cond_stage_model.", StringComparison.Ordinal)
                                  || k.StartsWith(LdmPrefixes.SdxlConditioner, StringComparison.Ordinal));
    }

    public static SingleFileCheckpoint Open(string path, SingleFileOptions? options = null)
    {
        options ??= new SingleFileOptions();
        var file = StreamedSafetensors.Open(path);
        try
        {
            int? textLayers = file.Metadata.TryGetValue(SingleFileLayout.TextLayersMetadata, out var n) && int.TryParse(n, out int l) && l > 0 ? l : null;
            var layout = SingleFileLayout.Detect(file, options.ExtractEma, textLayers);
            return new SingleFileCheckpoint(file, layout, Configure(file, layout, options));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Checks every component against its model (built on the meta device): one error naming the original keys
    /// that are missing, unexpected or of the wrong shape.</summary>
    public void Validate()
    {
        Check(() => new UNet2DConditionModel(Configs.UNet), UNet);
        if (Vae is not null) Check(() => new AutoencoderKL(Configs.Vae!), Vae);
        if (TextEncoder is not null) Check(() => new ClipTextModel(Configs.TextEncoder!), TextEncoder);
    }

    public UNet2DConditionModel LoadUNet(Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        Load(() => new UNet2DConditionModel(Configs.UNet), UNet, device, dtype);

    public AutoencoderKL LoadVae(Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        Load(() => new AutoencoderKL(Configs.Vae ?? throw new CheckpointFormatException(Path, $"the file has no VAE ({LdmPrefixes.Vae}* keys)")),
            Vae!, device, dtype);

    public ClipTextModel LoadTextEncoder(Device? device = null, ScalarType dtype = ScalarType.Float32) =>
        Load(() => new ClipTextModel(Configs.TextEncoder ?? throw new CheckpointFormatException(Path,
            $"the file has no text encoder ({LdmPrefixes.Clip}* or {LdmPrefixes.OpenClip}* keys)")), TextEncoder!, device, dtype);

    private static T Load<T>(Func<T> build, ConvertedTensorSource source, Device? device, ScalarType dtype) where T : nn.Module
    {
        ThrowUnmapped(source);
        return MetaModelLoader.Load(build, source, dtype, device, source.OriginalName);
    }

    private static void Check<T>(Func<T> build, ConvertedTensorSource source) where T : nn.Module
    {
        ThrowUnmapped(source);
        using var model = MetaModelLoader.BuildOnMeta(build);
        MetaModelLoader.Check(model, source, source.OriginalName);
    }

    private static void ThrowUnmapped(ConvertedTensorSource source)
    {
        if (source.Unmapped.Count > 0)
            throw new CheckpointFormatException(source.Description, $"{source.Unmapped.Count} tensor(s) that are not part of the {source.Component} layout the file's shapes describe: "
                + string.Join(", ", source.Unmapped.Take(20)) + (source.Unmapped.Count > 20 ? ", …" : ""));
    }

    private static LdmModelConfigs Configure(ITensorSource file, SingleFileLayout layout, SingleFileOptions options)
    {
        string path = file.Description;
        var kind = layout.TextEncoderKind ?? LdmTextEncoderKind.Clip;
        var unetShapes = layout.UNet.ToDictionary(kv => kv.Key, kv => file.Shape(kv.Value), StringComparer.Ordinal);
        var vaeShapes = layout.Vae.ToDictionary(kv => kv.Key, kv => file.Shape(kv.Value), StringComparer.Ordinal);
        var textShapes = layout.TextEncoder.ToDictionary(kv => kv.Key, kv => file.Shape(kv.Value), StringComparer.Ordinal);
        UNet2DConditionConfig unet;
        AutoencoderKLConfig? vae;
        SchedulerConfig scheduler;
        string source;
        if (options.OriginalConfig is { } yamlPath)
        {
            var yaml = LdmYamlConfig.Read(yamlPath);
            if (layout.TextEncoderKind is { } k && k != yaml.TextEncoderKind)
                throw new CheckpointFormatException(yamlPath, $"the config names a {yaml.TextEncoderKind} text encoder but {path} holds a {k} one");
            kind = yaml.TextEncoderKind;
            int size = options.ImageSize ?? (yaml.VPrediction ? 768 : 512);
            unet = yaml.UNet(size);
            vae = layout.Vae.Count > 0 ? yaml.Vae(size) : null;
            scheduler = LdmSchedulers.Pndm(options.PredictionType ?? (yaml.VPrediction ? "v_prediction" : "epsilon"), yaml.LinearStart, yaml.LinearEnd, yaml.Timesteps);
            source = yamlPath;
        }
        else
        {
            bool v = kind == LdmTextEncoderKind.OpenClip;
            int size = options.ImageSize ?? (v ? 768 : 512);
            vae = layout.Vae.Count > 0 ? LdmArchitecture.Vae(vaeShapes, size, 0.18215, path) : null;
            int vaeScale = vae is null ? 8 : 1 << (vae.BlockOutChannels.Length - 1);
            unet = LdmArchitecture.UNet(unetShapes, kind, size, vaeScale, path);
            scheduler = LdmSchedulers.Pndm(options.PredictionType ?? (v ? "v_prediction" : "epsilon"));
            source = "tensor shapes";
        }
        var text = layout.TextEncoderKind is null ? null : LdmArchitecture.TextEncoder(textShapes, kind, path);
        if (options.ConfigFolder is { } folder)
        {
            string Config(string component, string name) => System.IO.Path.Combine(folder, component, name);
            if (File.Exists(Config("unet", UNet2DConditionModel.ConfigFileName))) unet = ConfigJson.Load<UNet2DConditionConfig>(Config("unet", UNet2DConditionModel.ConfigFileName));
            if (vae is not null && File.Exists(Config("vae", AutoencoderKL.ConfigFileName))) vae = ConfigJson.Load<AutoencoderKLConfig>(Config("vae", AutoencoderKL.ConfigFileName));
            if (text is not null && File.Exists(Config("text_encoder", CLIPConfig.FileName))) text = CLIPConfig.LoadText(Config("text_encoder", CLIPConfig.FileName));
            if (File.Exists(Config("scheduler", SchedulerConfig.FileName))) scheduler = SchedulerConfig.Load(Config("scheduler", SchedulerConfig.FileName));
            source += $" + configs of {folder}";
        }
        try
        {
            unet.Validate();
            vae?.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, $"derived config is not buildable: {e.Message}", e);
        }
        return new LdmModelConfigs(kind, unet, vae, text, scheduler, source);
    }

    public void Dispose() => _file.Dispose();
}
