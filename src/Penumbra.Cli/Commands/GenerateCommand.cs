using System.CommandLine;
using System.Diagnostics;
using Penumbra.Checkpoints;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Quality;
using Penumbra.Runtime;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Diffusers model folder or single-file .safetensors (default: the bundled toy-world model)" };
        var prompt = new Option<string[]>("--prompt") { Description = "Prompt (repeat for a batch)", Required = true, AllowMultipleArgumentsPerToken = false };
        var negative = new Option<string?>("--negative") { Description = "Negative prompt" };
        var steps = new Option<int>("--steps") { Description = "Denoising steps", DefaultValueFactory = _ => 25 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale (<= 1 disables it)", DefaultValueFactory = _ => 7.5 };
        var scheduler = new Option<string?>("--scheduler") { Description = "ddim, pndm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras, lms, heun, ddpm (default: the model's)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the initial noise (default: random, printed)" };
        var size = new Option<string?>("--size") { Description = "WxH, multiples of 8 (default: the model's)" };
        var count = new Option<int>("--count") { Description = "Images per prompt", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, float16 or bfloat16 (default float32; a half-precision single file: its dtype on a GPU)" };
        var clipSkip = new Option<int?>("--clip-skip") { Description = "Skip the last N CLIP layers" };
        var adapters = new Option<string?>("--adapters") { Description = "MoESD bias adapter folder (penumbra debias train) applied in the text encoder" };
        var output = new Option<string>("--out") { Description = "Output folder, or a .png file for a single image", Required = true };
        var initImage = new Option<string?>("--init-image") { Description = "PNG to start from (image-to-image, SDEdit); the output has its size" };
        var strength = new Option<double>("--strength") { Description = "Image-to-image strength in [0, 1]: fraction of the steps re-run", DefaultValueFactory = _ => 0.8 };
        var bypass = new Option<string?>("--midblock-bypass")
        {
            Description = "Mid-block bypass schedule: const:G, ramp:A->B[@F0-F1], window:G@F0-F1 (optionally ;scale)",
        };
        var cmd = new Command("generate", "Generate images from text (or from an image with --init-image)")
        {
            model, prompt, negative, steps, guidance, scheduler, seed, size, count, device, dtype, clipSkip, output, adapters, initImage, strength, bypass,
        };
        var single = new SingleFileCli();
        foreach (var o in single.All) cmd.Options.Add(o);
        cmd.SetAction((pr, ct) =>
        {
            var (w, h) = ParseSize(pr.GetValue(size));
            var request = new GenerateRequest(pr.GetValue(model), pr.GetRequiredValue(prompt), pr.GetValue(negative), pr.GetValue(steps),
                pr.GetValue(guidance), pr.GetValue(scheduler), pr.GetValue(seed), w, h, pr.GetValue(count),
                RuntimeOptions.Parse(pr.GetValue(device), pr.GetValue(dtype)), pr.GetValue(clipSkip), pr.GetRequiredValue(output))
            {
                Adapters = pr.GetValue(adapters), DTypeGiven = pr.GetValue(dtype) is not null, SingleFile = single.Read(pr), Tokenizer = pr.GetValue(single.Tokenizer),
                InitImage = pr.GetValue(initImage), Strength = pr.GetValue(strength),
                Bypass = pr.GetValue(bypass) is { } spec ? ParseBypass(spec) : null,
            };
            return Task.FromResult(Run(request, ct));
        });
        return cmd;
    }

    private sealed record GenerateRequest(string? Model, string[] Prompts, string? Negative, int Steps, double Guidance,
        string? Scheduler, long? Seed, int? Width, int? Height, int Count, RuntimeOptions Runtime, int? ClipSkip, string Out)
    {
        public bool DTypeGiven { get; init; }
        public SingleFileOptions SingleFile { get; init; } = new();
        public string? Tokenizer { get; init; }
        public string? Adapters { get; init; }
        public string? InitImage { get; init; }
        public double Strength { get; init; } = 0.8;
        public BypassSchedule? Bypass { get; init; }
    }

    internal static BypassSchedule ParseBypass(string spec)
    {
        try { return BypassSchedule.Parse(spec); }
        catch (ArgumentException e) { throw new ArgumentException($"--midblock-bypass: {e.Message}"); }
    }

    private static Dictionary<string, string> ExtraParameters(GenerateRequest r, int batchIndex)
    {
        var extra = new Dictionary<string, string> { ["Batch index"] = batchIndex.ToString() };
        if (r.Adapters is not null) extra["Bias adapters"] = Path.GetFileName(Path.GetFullPath(r.Adapters).TrimEnd('/'));
        if (r.InitImage is not null)
        {
            extra["Denoising strength"] = r.Strength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            extra["Init image"] = Path.GetFileName(r.InitImage);
        }
        if (r.Bypass is not null) extra["Midblock bypass"] = r.Bypass.ToString();
        return extra;
    }

    private static TorchSharp.torch.Tensor LoadInitImage(string path)
    {
        Penumbra.Imaging.RgbImage image;
        try { image = Penumbra.Imaging.RgbImage.Load(path); }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"--init-image {path}: not a readable PNG ({e.Message})");
        }
        if (image.Width % 8 != 0 || image.Height % 8 != 0)
            throw new ArgumentException($"--init-image {path}: size {image.Width}x{image.Height} must be a multiple of 8");
        using var chw = image.ToTensorMinus1To1();
        return chw.unsqueeze(0);
    }

    internal static (int? W, int? H) ParseSize(string? text)
    {
        if (text is null) return (null, null);
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int w) || !int.TryParse(parts[1], out int h) || w <= 0 || h <= 0 || w % 8 != 0 || h % 8 != 0)
            throw new ArgumentException($"--size '{text}': expected WxH with positive multiples of 8, e.g. 512x512");
        return (w, h);
    }

    private static int Run(GenerateRequest r, CancellationToken ct)
    {
        if (r.Steps < 1) throw new ArgumentException($"--steps {r.Steps}: must be at least 1");
        if (r.Count < 1) throw new ArgumentException($"--count {r.Count}: must be at least 1");
        bool singleFile = r.Out.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
        if (singleFile && r.Prompts.Length * r.Count != 1)
            throw new ArgumentException($"--out {r.Out}: a single .png file takes one image, this run makes {r.Prompts.Length * r.Count}; give a folder");
        if (r.InitImage is not null)
        {
            if (!File.Exists(r.InitImage)) throw new FileNotFoundException($"--init-image {r.InitImage}: file not found");
            if (!(r.Strength >= 0 && r.Strength <= 1)) throw new ArgumentException($"--strength {r.Strength}: must lie in [0, 1]");
            if (r.Width is not null) throw new ArgumentException("--size cannot be combined with --init-image: the output has the input image's size");
        }
        var init = r.InitImage is null ? null : LoadInitImage(r.InitImage);
        string modelPath = ModelLocator.Resolve(r.Model);
        var sw = Stopwatch.StartNew();
        using var pipe = SingleFileCheckpoint.IsSingleFile(modelPath) ? LoadSingleFile(modelPath, r)
            : SegMoeModel.IsSegMoe(modelPath)
            ? SegMoePipeline.FromPretrained(modelPath, r.Runtime.Device, r.Runtime.DType).Pipeline
            : StableDiffusionPipeline.FromPretrained(modelPath, r.Runtime.Device, r.Runtime.DType);
        using var mixture = r.Adapters is null ? null : Penumbra.Debias.BiasAdapterMixture.Load(r.Adapters);
        using var attached = mixture?.Attach(pipe.TextEncoder, pipe.Tokenizer);
        var options = new GenerationOptions
        {
            Prompts = r.Prompts, NegativePrompts = r.Negative is null ? null : new[] { r.Negative }, Steps = r.Steps,
            GuidanceScale = r.Guidance, Width = r.Width, Height = r.Height, Seed = r.Seed, ImagesPerPrompt = r.Count,
            ClipSkip = r.ClipSkip, CancellationToken = ct,
        };
        foreach (var p in r.Prompts)
        {
            int dropped = pipe.Tokenizer.EncodeForModel(p).DroppedTokens;
            if (dropped > 0) Console.Error.WriteLine($"warning: prompt truncated to 77 tokens, {dropped} token(s) dropped: \"{p}\"");
        }
        if (r.Bypass is not null) pipe.Modifier = new MidBlockBypass(r.Bypass);
        var scheduler = pipe.CreateScheduler(r.Scheduler);
        GenerationResult result = null!;
        int total = init is null ? r.Steps : Math.Min((int)(r.Steps * r.Strength), r.Steps) * scheduler.Order;
        using (init)
            CliProgress.Run($"generating {r.Prompts.Length * r.Count} image(s)", total, report =>
                result = init is null
                    ? pipe.Generate(options with { OnStep = s => report(s.Step + 1) }, scheduler)
                    : new StableDiffusionImg2ImgPipeline(pipe).Generate(new ImageToImageOptions
                    {
                        Generation = options with { OnStep = s => report(s.Step + 1) }, Images = init, Strength = r.Strength,
                    }, scheduler));
        using (result)
        {
            if (!singleFile) Directory.CreateDirectory(r.Out);
            var written = new List<string>();
            for (int i = 0; i < result.Images.Count; i++)
            {
                int promptIndex = i / r.Count;
                var image = result.Images[i];
                var parameters = new GenerationParameters(r.Prompts[promptIndex], r.Negative ?? "", result.Seed, r.Steps,
                    scheduler.Config.ClassName ?? "?", r.Guidance, image.Width, image.Height, pipe.ModelName)
                {
                    Extra = ExtraParameters(r, i % r.Count),
                };
                string path = singleFile ? r.Out : Path.Combine(r.Out, $"{result.Seed}-{promptIndex:D3}-{i % r.Count:D2}.png");
                image.Save(path, new Dictionary<string, string> { [GenerationParameters.PngKeyword] = parameters.ToA1111() });
                written.Add(path);
            }
            AnsiConsole.MarkupLine($"[green]{written.Count} image(s)[/] in {sw.Elapsed.TotalSeconds:F1} s, seed {result.Seed}, " +
                                   $"{Markup.Escape(scheduler.Config.ClassName ?? "")}, {r.Steps} steps -> {Markup.Escape(singleFile ? r.Out : r.Out + "/")}");
        }
        return 0;
    }

    /// <summary>An original-layout file: the compute dtype from the stored one unless --dtype is given (float32 on the CPU
    /// for half-precision files, with a note).</summary>
    private static StableDiffusionPipeline LoadSingleFile(string path, GenerateRequest r)
    {
        using var checkpoint = SingleFileCheckpoint.Open(path, r.SingleFile);
        foreach (var note in checkpoint.Notes) Console.Error.WriteLine($"note: {note}");
        var (dtype, dtypeNote) = ComputeDType.Choose(checkpoint.StoredDType, r.Runtime.Device, r.DTypeGiven ? r.Runtime.DType : null);
        if (dtypeNote is not null) Console.Error.WriteLine($"note: {dtypeNote}");
        return SingleFilePipeline.Load(checkpoint, r.Tokenizer ?? SingleFileCli.DefaultTokenizer(), r.Runtime.Device, dtype);
    }
}
