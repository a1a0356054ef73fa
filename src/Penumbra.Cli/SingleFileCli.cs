using System.CommandLine;
using Penumbra.Checkpoints;

namespace Penumbra.Cli;

/// <summary>The options that say how to read an original-layout single file (shared by convert, info and generate), and the
/// tokenizer a single file needs (the repository's bundled CLIP tokenizer unless one is given).</summary>
public sealed class SingleFileCli
{
    public const string BundledTokenizer = "clip-tokenizer-sd1";

    public Option<string?> OriginalConfig { get; } = new("--original-config") { Description = "Single file: the original LDM inference yaml (default: architecture inferred from the tensor shapes)" };
    public Option<bool> ExtractEma { get; } = new("--extract-ema") { Description = "Single file: use the EMA UNet weights when the file has both" };
    public Option<int?> ImageSize { get; } = new("--image-size") { Description = "Single file: training resolution (default 512; 768 for SD 2 v-prediction)" };
    public Option<string?> PredictionType { get; } = new("--prediction-type") { Description = "Single file: epsilon or v_prediction (default: by family, as diffusers)" };
    public Option<string?> ConfigFolder { get; } = new("--config-folder") { Description = "Single file: a diffusers folder whose unet/vae/text_encoder/scheduler configs replace the derived ones" };
    public Option<string?> Tokenizer { get; } = new("--tokenizer") { Description = "Single file: CLIP tokenizer folder (default: the bundled models/clip-tokenizer-sd1)" };

    public IEnumerable<Option> All => new Option[] { OriginalConfig, ExtractEma, ImageSize, PredictionType, ConfigFolder, Tokenizer };

    public SingleFileOptions Read(ParseResult pr)
    {
        string? prediction = pr.GetValue(PredictionType);
        if (prediction is not (null or "epsilon" or "v_prediction"))
            throw new ArgumentException($"--prediction-type '{prediction}': expected epsilon or v_prediction");
        return new SingleFileOptions
        {
            OriginalConfig = pr.GetValue(OriginalConfig), ExtractEma = pr.GetValue(ExtractEma), ImageSize = pr.GetValue(ImageSize),
            PredictionType = prediction, ConfigFolder = pr.GetValue(ConfigFolder),
        };
    }

    public string TokenizerFolder(ParseResult pr) => pr.GetValue(Tokenizer) ?? DefaultTokenizer();

    public static string DefaultTokenizer() => ModelLocator.FindInRepository(BundledTokenizer)
        ?? throw new DirectoryNotFoundException($"the bundled tokenizer models/{BundledTokenizer} was not found above {AppContext.BaseDirectory}: pass --tokenizer");
}
