using Penumbra.Configs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>
/// transformers' <c>CLIPTextModel</c> (keys <c>text_model.*</c>), or <c>CLIPTextModelWithProjection</c> when built
/// with a projection (adds <c>text_projection</c>, a bias-free linear map of the pooled output to <c>projection_dim</c>).
/// </summary>
public sealed class ClipTextModel : nn.Module
{
    public const string ProjectionKey = "text_projection.weight";

    private readonly CLIPTextTransformer text_model;
    private readonly Linear? text_projection;

    public ClipTextModel(CLIPTextConfig config, bool withProjection = false) : base(nameof(ClipTextModel))
    {
        Config = config;
        text_model = new CLIPTextTransformer(config);
        if (withProjection) text_projection = nn.Linear(config.HiddenSize, config.ProjectionDim, hasBias: false);
        RegisterComponents();
    }

    public CLIPTextConfig Config { get; }
    public bool HasProjection => text_projection is not null;

    /// <summary>Loads a transformers text-encoder folder (<c>config.json</c> + <c>model.safetensors</c>) with the strict loader;
    /// the projection variant is chosen when the file has <c>text_projection.weight</c>.</summary>
    public static ClipTextModel FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CLIPConfig.LoadText(Path.Combine(folder, CLIPConfig.FileName));
        using var source = ClipWeights.Open(folder);
        return ClipWeights.Load(new ClipTextModel(config, source.Contains(ProjectionKey)), source, device, dtype);
    }

    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        ConfigJson.Save(Path.Combine(folder, CLIPConfig.FileName), Config);
        IO.SafetensorsWriter.Save(Path.Combine(folder, ClipWeights.WeightsFile), state_dict());
    }

    /// <summary>The tower's <c>final_layer_norm</c> (for clip skip, see <see cref="ClipTextOutput"/>).</summary>
    public Tensor FinalLayerNorm(Tensor hidden) => text_model.FinalLayerNorm(hidden);

    /// <summary>Runs the text tower (see <see cref="CLIPTextTransformer.Forward"/>); with a projection,
    /// <see cref="ClipTextOutput.TextEmbeds"/> is <c>text_projection(pooled)</c>.</summary>
    public ClipTextOutput Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        var output = text_model.Forward(inputIds, attentionMask);
        return text_projection is null ? output : output with { TextEmbeds = text_projection.call(output.PooledOutput) };
    }
}
