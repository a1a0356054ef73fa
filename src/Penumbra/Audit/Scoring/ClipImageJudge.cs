using Penumbra.Imaging;
using Penumbra.Models.Clip;
using Penumbra.Tokenizers;
using static TorchSharp.torch;

namespace Penumbra.Audit.Scoring;

/// <summary>
/// CLIP as the judge of images from a CLIP model folder (transformers <c>CLIPModel</c>: config.json, model.safetensors,
/// preprocessor_config.json, tokenizer files in the folder or in tokenizer/). Quality: <c>clip_score</c> =
/// 100 · max(0, cos(image embedding, prompt embedding)) (Hessel et al. 2021, as torchmetrics' CLIPScore). Attributes:
/// zero-shot, the class whose <see cref="AttributePrompts"/> prompt has the highest cosine similarity to the image
/// (the argmax of CLIP's softmax over the class prompts).
/// </summary>
public sealed class ClipImageJudge : IImageJudge
{
    public const string Quality = "clip_score";

    private readonly ClipModel model;
    private readonly ClipImageProcessor processor;
    private readonly ClipTokenizer tokenizer;
    private readonly AttributePrompts attributes;
    private readonly Dictionary<string, Tensor> classEmbeds = new(StringComparer.Ordinal);
    private readonly Device device;

    public ClipImageJudge(string folder, AttributePrompts? attributePrompts = null, Device? device = null, string? fingerprint = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--clip {folder}: no such folder");
        this.device = device ?? CPU;
        model = ClipModel.FromPretrained(folder, this.device);
        model.eval();
        processor = ClipImageProcessor.FromPretrained(folder);
        string tokenizerFolder = Directory.Exists(Path.Combine(folder, "tokenizer")) ? Path.Combine(folder, "tokenizer") : folder;
        tokenizer = ClipTokenizer.FromPretrained(tokenizerFolder);
        attributes = attributePrompts ?? AttributePrompts.Default;
        foreach (var (attr, classes) in attributes.Attributes)
            classEmbeds[attr] = TextEmbeds(classes.Select(c => c.Prompt).ToList());
        Settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["judge"] = "clip",
            ["judge_version"] = "1",
            ["clip_model"] = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)),
            ["clip_sha256"] = fingerprint ?? ModelFingerprint.Compute(folder),
            ["attribute_prompts"] = attributes.Describe(),
        };
        AttributeClasses = attributes.Attributes.ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value.Select(c => c.Class).ToList());
    }

    public string QualityMetric => Quality;

    public IReadOnlyDictionary<string, string> Settings { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AttributeClasses { get; }

    public IReadOnlyList<ImageJudgement> Judge(string prompt, IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) return Array.Empty<ImageJudgement>();
        using var noGrad = inference_mode();
        using var scope = NewDisposeScope();
        var pixels = processor.Preprocess(images).to(device);
        var imageEmbeds = Normalize(model.GetImageFeatures(pixels)).to(ScalarType.Float64).cpu();
        var text = TextEmbeds(new[] { prompt }).to(ScalarType.Float64).cpu();
        var cos = matmul(imageEmbeds, text.t()).squeeze(1).data<double>().ToArray();
        var classes = attributes.Attributes.ToDictionary(a => a.Key, a =>
            matmul(imageEmbeds, classEmbeds[a.Key].to(ScalarType.Float64).cpu().t()).argmax(1).data<long>().ToArray());
        return images.Select((_, i) => new ImageJudgement(
            new Dictionary<string, double> { [Quality] = 100 * Math.Max(0, cos[i]) },
            attributes.Attributes.ToDictionary(a => a.Key, a => a.Value[(int)classes[a.Key][i]].Class))).ToList();
    }

    private Tensor TextEmbeds(IReadOnlyList<string> texts)
    {
        using var noGrad = inference_mode();
        using var scope = NewDisposeScope();
        int max = model.Config.TextConfig.MaxPositionEmbeddings;
        var tokens = texts.Select(t => tokenizer.EncodeForModel(t, max)).ToList();
        long length = tokens[0].Ids.Length;
        var ids = tensor(tokens.SelectMany(t => t.Ids).ToArray(), new[] { tokens.Count, length }, ScalarType.Int64, device);
        var mask = tensor(tokens.SelectMany(t => t.AttentionMask()).ToArray(), new[] { tokens.Count, length }, ScalarType.Int64, device);
        return scope.MoveToOuter(Normalize(model.GetTextFeatures(ids, mask)));
    }

    private static Tensor Normalize(Tensor x) => x / x.norm(-1, keepdim: true);

    public void Dispose()
    {
        foreach (var t in classEmbeds.Values) t.Dispose();
        model.Dispose();
    }
}
