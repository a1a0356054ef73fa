using Penumbra.Configs;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPVisionModel</c> (keys <c>vision_model.*</c>), or <c>CLIPVisionModelWithProjection</c>
/// with a bias-free <c>visual_projection</c> of the pooled output.</summary>
public sealed class ClipVisionModel : nn.Module
{
    public const string ProjectionKey = "visual_projection.weight";

    private readonly CLIPVisionTransformer vision_model;
    private readonly Linear? visual_projection;

    public ClipVisionModel(CLIPVisionConfig config, bool withProjection = false) : base(nameof(ClipVisionModel))
    {
        Config = config;
        vision_model = new CLIPVisionTransformer(config);
        if (withProjection) visual_projection = nn.Linear(config.HiddenSize, config.ProjectionDim, hasBias: false);
        RegisterComponents();
    }

    public CLIPVisionConfig Config { get; }
    public bool HasProjection => visual_projection is not null;

    /// <summary>Loads a folder with a CLIPVisionConfig (or CLIPConfig: its vision part) and <c>model.safetensors</c> holding
    /// exactly the <c>vision_model.*</c> keys (+ <c>visual_projection.weight</c> for the projection variant).</summary>
    public static ClipVisionModel FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CLIPConfig.LoadVision(Path.Combine(folder, CLIPConfig.FileName));
        using var source = ClipWeights.Open(folder);
        return ClipWeights.Load(new ClipVisionModel(config, source.Contains(ProjectionKey)), source, device, dtype);
    }

    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        ConfigJson.Save(Path.Combine(folder, CLIPConfig.FileName), Config);
        IO.SafetensorsWriter.Save(Path.Combine(folder, ClipWeights.WeightsFile), state_dict());
    }

    public ClipVisionOutput Forward(Tensor pixelValues)
    {
        var output = vision_model.Forward(pixelValues);
        return visual_projection is null ? output : output with { ImageEmbeds = visual_projection.call(output.PooledOutput) };
    }
}
