using Penumbra.Configs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPModel</c>: <c>text_model</c>, <c>vision_model</c>, bias-free <c>visual_projection</c> and
/// <c>text_projection</c> to <c>projection_dim</c>, and the scalar <c>logit_scale</c> (the model multiplies by its exp).</summary>
public sealed class ClipModel : nn.Module
{
    private readonly CLIPTextTransformer text_model;
    private readonly CLIPVisionTransformer vision_model;
    private readonly Linear visual_projection;
    private readonly Linear text_projection;
    private readonly Parameter logit_scale;

    public ClipModel(CLIPConfig config) : base(nameof(ClipModel))
    {
        Config = config;
        text_model = new CLIPTextTransformer(config.TextConfig);
        vision_model = new CLIPVisionTransformer(config.VisionConfig);
        visual_projection = nn.Linear(config.VisionConfig.HiddenSize, config.ProjectionDim, hasBias: false);
        text_projection = nn.Linear(config.TextConfig.HiddenSize, config.ProjectionDim, hasBias: false);
        logit_scale = new Parameter(torch.tensor((float)config.LogitScaleInitValue));
        RegisterComponents();
    }

    public CLIPConfig Config { get; }

    /// <summary>The raw <c>logit_scale</c> parameter (a 0-d tensor).</summary>
    public Tensor LogitScale => logit_scale;

    public static ClipModel FromPretrained(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var config = CLIPConfig.Load(Path.Combine(folder, CLIPConfig.FileName));
        using var source = ClipWeights.Open(folder);
        return ClipWeights.Load(new ClipModel(config), source, device, dtype);
    }

    public void SavePretrained(string folder)
    {
        Directory.CreateDirectory(folder);
        ConfigJson.Save(Path.Combine(folder, CLIPConfig.FileName), Config);
        IO.SafetensorsWriter.Save(Path.Combine(folder, ClipWeights.WeightsFile), state_dict());
    }

    public ClipTextOutput EncodeText(Tensor inputIds, Tensor? attentionMask = null) => text_model.Forward(inputIds, attentionMask);

    public ClipVisionOutput EncodeImage(Tensor pixelValues) => vision_model.Forward(pixelValues);

    /// <summary><c>get_text_features</c>: <c>text_projection</c> of the pooled text output (not normalised).</summary>
    public Tensor GetTextFeatures(Tensor inputIds, Tensor? attentionMask = null)
    {
        using var text = EncodeText(inputIds, attentionMask);
        return text_projection.call(text.PooledOutput);
    }

    /// <summary><c>get_image_features</c>: <c>visual_projection</c> of the pooled image output (not normalised).</summary>
    public Tensor GetImageFeatures(Tensor pixelValues)
    {
        using var vision = EncodeImage(pixelValues);
        return visual_projection.call(vision.PooledOutput);
    }

    /// <summary><c>CLIPModel.forward</c>: both towers, normalised projections and the scaled similarity logits.</summary>
    public ClipOutput Forward(Tensor inputIds, Tensor pixelValues, Tensor? attentionMask = null)
    {
        var text = EncodeText(inputIds, attentionMask);
        var vision = EncodeImage(pixelValues);
        using var scope = NewDisposeScope();
        var imageEmbeds = Normalize(visual_projection.call(vision.PooledOutput));
        var textEmbeds = Normalize(text_projection.call(text.PooledOutput));
        var logitsPerText = torch.matmul(textEmbeds, imageEmbeds.t()) * logit_scale.exp();
        var logitsPerImage = logitsPerText.t();
        scope.MoveToOuter(logitsPerImage, logitsPerText, textEmbeds, imageEmbeds);
        return new ClipOutput(logitsPerImage, logitsPerText, textEmbeds, imageEmbeds, text, vision);
    }

    private static Tensor Normalize(Tensor x) => x / x.norm(-1, keepdim: true);
}
