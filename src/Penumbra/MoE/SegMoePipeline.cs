using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using Penumbra.Tokenizers;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// A SegMoE folder loaded as a text-to-image pipeline (segmoe's <c>SegMoEPipeline(path)</c>): the folder's tokenizer, text
/// encoder, VAE (none for a pixel-space model) and scheduler around the SegMoE UNet, which <see cref="Pipeline"/> runs like
/// any UNet. <see cref="Model"/> gives the mixtures and their shared routing.
/// </summary>
public sealed class SegMoePipeline : IDisposable
{
    private SegMoePipeline(StableDiffusionPipeline pipeline, SegMoeModel model)
    {
        Pipeline = pipeline;
        Model = model;
    }

    public StableDiffusionPipeline Pipeline { get; }
    public SegMoeModel Model { get; }

    /// <summary>Loads a SegMoE pipeline folder (see <see cref="SegMoeModel.IsSegMoe"/>).</summary>
    public static SegMoePipeline FromPretrained(string folder, Device? device = null, ScalarType? dtype = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        var dev = device ?? CPU;
        var dt = dtype ?? ScalarType.Float32;
        string Sub(string name) => Path.Combine(folder, name);
        var schedulerConfig = SchedulerConfig.Load(Path.Combine(Sub("scheduler"), SchedulerConfig.FileName));
        var tokenizer = ClipTokenizer.FromPretrained(Sub("tokenizer"));
        var model = SegMoeModel.FromPretrained(Sub(SegMoeFolder.UnetFolder), dev, dt);
        var textEncoder = ClipTextModel.FromPretrained(Sub("text_encoder"), dev, dt);
        textEncoder.eval();
        var vae = Directory.Exists(Sub("vae")) ? AutoencoderKL.FromPretrained(Sub("vae"), dev, dt) : null;
        var pipeline = new StableDiffusionPipeline(tokenizer, textEncoder, model.Unet, vae, schedulerConfig, dev, dt,
            Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)));
        return new SegMoePipeline(pipeline, model);
    }

    /// <summary>Disposes the pipeline (and with it the SegMoE UNet).</summary>
    public void Dispose() => Pipeline.Dispose();
}
