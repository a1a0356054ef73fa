using System.Text.Json;
using System.Text.Json.Serialization;

namespace Penumbra.Imaging;

/// <summary>
/// <c>preprocessor_config.json</c> of transformers' <c>CLIPImageProcessor</c>; initial values are its defaults
/// (shortest edge 224, bicubic, centre crop 224x224, rescale 1/255, OpenAI CLIP mean/std). <see cref="Size"/> is
/// <c>{"shortest_edge": n}</c>, <c>{"height": h, "width": w}</c> or a bare int (shortest edge, as old configs wrote it);
/// <see cref="CropSize"/> is <c>{"height", "width"}</c> or an int.
/// </summary>
public sealed record ClipImageProcessorConfig
{
    public const string FileName = "preprocessor_config.json";

    public bool DoResize { get; init; } = true;
    public JsonElement? Size { get; init; }
    public int Resample { get; init; } = (int)PilResample.Bicubic;
    public bool DoCenterCrop { get; init; } = true;
    public JsonElement? CropSize { get; init; }
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1.0 / 255;
    public bool DoNormalize { get; init; } = true;
    public double[] ImageMean { get; init; } = { 0.48145466, 0.4578275, 0.40821073 };
    public double[] ImageStd { get; init; } = { 0.26862954, 0.26130258, 0.27577711 };
    public bool DoConvertRgb { get; init; } = true;
    public string? ImageProcessorType { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
