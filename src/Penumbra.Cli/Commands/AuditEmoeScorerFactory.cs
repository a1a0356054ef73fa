using System.Globalization;
using Penumbra.Audit;
using Penumbra.Audit.Scoring;
using Penumbra.MoE;
using Penumbra.Runtime;
using Penumbra.Uncertainty;

namespace Penumbra.Cli.Commands;

/// <summary>
/// `--scorer emoe`: <see cref="EmoeScorer"/> on a SegMoE model (--model, default the bundled toy world). Images are
/// judged by CLIP when --clip FOLDER is given, else by the toy checker, which only pixel-space (toy-world) models may
/// use. Scorer options: mode=expert|routed, split_block=PATH, emoe_steps=N, latent=m_post|m_pre|z, step_index=K, steps=N (image steps), guidance=W,
/// scheduler=NAME, attributes=FILE.json (CLIP zero-shot attribute prompts), dtype=float32|float16|bfloat16, seed_samples=K
/// (the seed-variance baseline over K initial latents, off by default), reference=FILE (the embedding-distance baseline
/// to a reference prompt set: a prompt file as `audit run` reads it).
/// </summary>
public static class AuditEmoeScorerFactory
{
    private static readonly string[] Known = { "mode", "split_block", "emoe_steps", "latent", "step_index", "steps", "guidance", "scheduler", "attributes", "dtype", "seed_samples", "reference" };

    public static IPromptScorer Create(AuditScorerOptions o)
    {
        foreach (var key in o.Extra.Keys)
            if (!Known.Contains(key)) throw new ArgumentException($"--scorer-option {key}: unknown option of the emoe scorer (known: {string.Join(", ", Known)})");
        string path = ModelLocator.Resolve(o.Model);
        if (!SegMoeModel.IsSegMoe(path)) throw new ArgumentException($"--model {path}: the emoe scorer needs a SegMoE model folder (segmoe config in unet/)");
        var options = new EmoeScorerOptions
        {
            Mode = o.Extra.TryGetValue("mode", out var m) ? Enum.TryParse<EmoeMode>(m, true, out var mode) ? mode
                : throw new ArgumentException($"--scorer-option mode={m}: expected expert or routed") : EmoeMode.Expert,
            SplitBlock = o.Extra.GetValueOrDefault("split_block"),
            Latent = o.Extra.TryGetValue("latent", out var l) ? EmoeOptions.ParseLatent(l)
                ?? throw new ArgumentException($"--scorer-option latent={l}: expected m_post, m_pre or z") : EmoeLatent.MPost,
            StepIndex = Int(o.Extra, "step_index", 0),
            EmoeSteps = Int(o.Extra, "emoe_steps", 25),
            ImageSteps = Int(o.Extra, "steps", 25),
            GuidanceScale = o.Extra.TryGetValue("guidance", out var g) ? double.TryParse(g, NumberStyles.Float, CultureInfo.InvariantCulture, out var gs) ? gs
                : throw new ArgumentException($"--scorer-option guidance={g}: not a number") : 7.5,
            Scheduler = o.Extra.GetValueOrDefault("scheduler"),
            SeedSamples = Int(o.Extra, "seed_samples", 0),
            ReferencePrompts = o.Extra.TryGetValue("reference", out var reference) ? ReferencePromptFile(reference) : null,
        };
        var runtime = RuntimeOptions.Parse(o.Device, o.Extra.GetValueOrDefault("dtype"));
        string fingerprint = ModelFingerprint.Compute(path);
        var moe = SegMoePipeline.FromPretrained(path, runtime.Device, runtime.DType);
        IImageJudge? judge = null;
        try
        {
            if (o.Images > 0)
            {
                if (o.Clip != null)
                {
                    var prompts = o.Extra.TryGetValue("attributes", out var file) ? AttributePrompts.Load(file) : null;
                    judge = new ClipImageJudge(o.Clip, prompts, runtime.Device);
                }
                else if (moe.Pipeline.Vae == null) judge = new ToyImageJudge();
                else throw new ArgumentException($"--images with {path} (a latent-space model) needs --clip FOLDER to judge the images; the toy checker only reads pixel-space toy-world images");
            }
            else if (o.Clip != null || o.Extra.ContainsKey("attributes"))
                throw new ArgumentException("--clip and the attributes option judge images: they need --images N");
            string name = Path.GetFileName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar));
            return new EmoeScorer(moe, name, fingerprint, options, judge);
        }
        catch
        {
            judge?.Dispose();
            moe.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<string> ReferencePromptFile(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--scorer-option reference={path}: file not found");
        var prompts = PromptSource.FromFile(path, new PromptSetOptions()).Read().Select(r => r.Text).ToList();
        return prompts.Count > 0 ? prompts : throw new ArgumentException($"--scorer-option reference={path}: no prompts in the file");
    }

    private static int Int(IReadOnlyDictionary<string, string> extra, string key, int fallback) =>
        !extra.TryGetValue(key, out var s) ? fallback
        : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw new ArgumentException($"--scorer-option {key}={s}: not an integer");
}
