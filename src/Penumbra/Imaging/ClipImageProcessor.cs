using System.Text.Json;
using Penumbra.Configs;
using Penumbra.IO;
using static TorchSharp.torch;

namespace Penumbra.Imaging;

/// <summary>
/// transformers 4.36 <c>CLIPImageProcessor.preprocess</c> for RGB images: resize (shortest edge to <c>n</c>, the other
/// side <c>int(n * long / short)</c>, or to an exact height/width) with PIL's filter (<see cref="PilResize"/>), centre
/// crop (zero padding when the crop is larger), rescale, normalise, channels first. Output <c>[B,3,H,W]</c> float32.
/// </summary>
public sealed class ClipImageProcessor
{
    private readonly int? _shortestEdge;
    private readonly (int Height, int Width)? _exactSize;
    private readonly (int Height, int Width) _crop;

    public ClipImageProcessor(ClipImageProcessorConfig config, string source = "image processor config")
    {
        Config = config;
        if (config.DoResize)
        {
            (_shortestEdge, _exactSize) = ParseSize(config.Size, source);
            if (!Enum.IsDefined((PilResample)config.Resample) || config.Resample == (int)PilResample.Nearest)
                throw new ArgumentException($"{source}: resample {config.Resample} is not supported (1-5: lanczos, bilinear, bicubic, box, hamming)");
        }
        _crop = ParseCrop(config.CropSize, source);
        if (config.DoNormalize && (config.ImageMean.Length != 3 || config.ImageStd.Length != 3 || config.ImageStd.Any(s => s == 0)))
            throw new ArgumentException($"{source}: image_mean and image_std must have 3 entries, std non-zero");
    }

    public ClipImageProcessorConfig Config { get; }

    /// <summary>Reads <c>preprocessor_config.json</c> from a folder (or the file itself).</summary>
    public static ClipImageProcessor FromPretrained(string folderOrFile)
    {
        string path = Directory.Exists(folderOrFile) ? Path.Combine(folderOrFile, ClipImageProcessorConfig.FileName) : folderOrFile;
        var config = ConfigJson.Load<ClipImageProcessorConfig>(path);
        try
        {
            return new ClipImageProcessor(config, path);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }

    /// <summary>The uint8 stages: resize and centre crop.</summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        var current = image;
        if (Config.DoResize)
        {
            var (h, w) = _exactSize ?? ShortestEdgeSize(image.Height, image.Width, _shortestEdge!.Value);
            if (h != image.Height || w != image.Width) current = PilResize.Resize(current, w, h, (PilResample)Config.Resample);
        }
        if (Config.DoCenterCrop) current = CenterCrop(current, _crop.Height, _crop.Width);
        return current;
    }

    /// <summary>Preprocesses a batch; every image must come out at the same size (always so with centre crop).</summary>
    public Tensor Preprocess(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images to preprocess", nameof(images));
        var prepared = images.Select(ResizeAndCrop).ToList();
        int h = prepared[0].Height, w = prepared[0].Width;
        if (prepared.Any(p => p.Height != h || p.Width != w))
            throw new ArgumentException("images differ in size after resizing; enable do_center_crop to batch them");
        var data = new float[prepared.Count * 3 * h * w];
        int plane = h * w;
        for (int n = 0; n < prepared.Count; n++)
            for (int c = 0; c < 3; c++)
            {
                // transformers: rescale in float64 then cast to float32, normalise in float32.
                float mean = (float)(Config.DoNormalize ? Config.ImageMean[c] : 0.0), std = (float)(Config.DoNormalize ? Config.ImageStd[c] : 1.0);
                for (int i = 0; i < plane; i++)
                {
                    double v = prepared[n].Rgb[i * 3 + c];
                    float x = (float)(Config.DoRescale ? v * Config.RescaleFactor : v);
                    data[(n * 3 + c) * plane + i] = Config.DoNormalize ? (x - mean) / std : x;
                }
            }
        return tensor(data, new long[] { prepared.Count, 3, h, w });
    }

    public Tensor Preprocess(RgbImage image) => Preprocess(new[] { image });

    /// <summary>transformers' <c>get_resize_output_image_size(default_to_square=False)</c> for an int size.</summary>
    public static (int Height, int Width) ShortestEdgeSize(int height, int width, int shortestEdge)
    {
        int shortSide = Math.Min(height, width), longSide = Math.Max(height, width);
        int newLong = (int)((double)shortestEdge * longSide / shortSide);
        return width <= height ? (newLong, shortestEdge) : (shortestEdge, newLong);
    }

    /// <summary>transformers' <c>center_crop</c>: top/left = floor((orig - crop) / 2); a crop larger than the image pads with zeros.</summary>
    public static RgbImage CenterCrop(RgbImage image, int cropHeight, int cropWidth)
    {
        int top = FloorDiv2(image.Height - cropHeight), left = FloorDiv2(image.Width - cropWidth);
        int newH = Math.Max(cropHeight, image.Height), newW = Math.Max(cropWidth, image.Width);
        int topPad = (newH - image.Height + 1) / 2, leftPad = (newW - image.Width + 1) / 2;
        top += topPad;
        left += leftPad;
        int y0 = Math.Max(0, top), y1 = Math.Min(newH, top + cropHeight), x0 = Math.Max(0, left), x1 = Math.Min(newW, left + cropWidth);
        int outH = y1 - y0, outW = x1 - x0;
        var dst = new byte[outH * outW * 3];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                int sy = y + y0 - topPad, sx = x + x0 - leftPad;
                if (sy < 0 || sy >= image.Height || sx < 0 || sx >= image.Width) continue;
                Array.Copy(image.Rgb, (sy * image.Width + sx) * 3, dst, (y * outW + x) * 3, 3);
            }
        return new RgbImage(outW, outH, dst);
    }

    private static int FloorDiv2(int v) => (int)Math.Floor(v / 2.0);

    private static (int?, (int, int)?) ParseSize(JsonElement? size, string source)
    {
        if (size is null || size.Value.ValueKind == JsonValueKind.Null) return (224, null);
        var s = size.Value;
        if (s.ValueKind == JsonValueKind.Number) return (Positive(s, "size", source), null);
        if (s.ValueKind == JsonValueKind.Object)
        {
            if (s.TryGetProperty("shortest_edge", out var e)) return (Positive(e, "size.shortest_edge", source), null);
            if (s.TryGetProperty("height", out var h) && s.TryGetProperty("width", out var w))
                return (null, (Positive(h, "size.height", source), Positive(w, "size.width", source)));
        }
        throw new ArgumentException($"{source}: size must be an int, {{\"shortest_edge\": n}} or {{\"height\", \"width\"}}, got {s.GetRawText()}");
    }

    private static (int, int) ParseCrop(JsonElement? crop, string source)
    {
        if (crop is null || crop.Value.ValueKind == JsonValueKind.Null) return (224, 224);
        var c = crop.Value;
        if (c.ValueKind == JsonValueKind.Number)
        {
            int n = Positive(c, "crop_size", source);
            return (n, n);
        }
        if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("height", out var h) && c.TryGetProperty("width", out var w))
            return (Positive(h, "crop_size.height", source), Positive(w, "crop_size.width", source));
        throw new ArgumentException($"{source}: crop_size must be an int or {{\"height\", \"width\"}}, got {c.GetRawText()}");
    }

    private static int Positive(JsonElement e, string key, string source) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v > 0
            ? v
            : throw new ArgumentException($"{source}: {key} must be a positive integer, got {e.GetRawText()}");
}
