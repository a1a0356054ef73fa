using Penumbra.Pipelines.StableDiffusion;
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

    /// <summary>Wraps an in-memory pipeline whose UNet is <paramref name="model"/>'s (e.g. a converted UNet in a benchmark).</summary>
    public static SegMoePipeline Create(StableDiffusionPipeline pipeline, SegMoeModel model) =>
        ReferenceEquals(pipeline.Unet, model.Unet) ? new SegMoePipeline(pipeline, model)
            : throw new ArgumentException("the pipeline's UNet is not the SegMoE model's UNet", nameof(pipeline));

    /// <summary>Loads a SegMoE pipeline folder (see <see cref="SegMoeModel.IsSegMoe"/>).</summary>
    public static SegMoePipeline FromPretrained(string folder, Device? device = null, ScalarType? dtype = null)
    {
        SegMoeModel? model = null;
        var pipeline = StableDiffusionPipeline.FromPretrained(folder, device, dtype,
            unetFolder => (model = SegMoeModel.FromPretrained(unetFolder, device, dtype)).Unet);
        return new SegMoePipeline(pipeline, model!);
    }

    /// <summary>Disposes the pipeline (and with it the SegMoE UNet).</summary>
    public void Dispose() => Pipeline.Dispose();
}
