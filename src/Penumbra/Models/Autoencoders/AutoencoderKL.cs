using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Autoencoders;

/// <summary>
/// diffusers' <c>AutoencoderKL</c> (the SD VAE): <c>encoder</c>, <c>quant_conv</c>, <c>post_quant_conv</c>,
/// <c>decoder</c>, built from an <see cref="AutoencoderKLConfig"/> with the diffusers key names.
/// <see cref="Encode"/> gives the posterior, <see cref="Decode"/> maps latents (already divided by
/// <see cref="ScalingFactor"/>) to images in about [-1, 1]; <c>forward</c> decodes the posterior mode.
/// </summary>
public sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "diffusion_pytorch_model.safetensors";

    private readonly Encoder encoder;
    private readonly Decoder decoder;
    private readonly Conv2d quant_conv;
    private readonly Conv2d post_quant_conv;

    public AutoencoderKLConfig Config { get; }

    public AutoencoderKL(AutoencoderKLConfig config) : base(nameof(AutoencoderKL))
    {
        config.Validate();
        Config = config;
        encoder = new Encoder(config);
        decoder = new Decoder(config);
        quant_conv = nn.Conv2d(2L * config.LatentChannels, 2L * config.LatentChannels, 1L);
        post_quant_conv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1L);
        RegisterComponents();
    }

    /// <summary>The config's <c>scaling_factor</c>: pipelines multiply encoded latents by it and divide by it before decoding.</summary>
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>Encodes images [B, in, H, W] (about [-1, 1]) into the latent posterior.</summary>
    public DiagonalGaussianDistribution Encode(Tensor images)
    {
        using var scope = NewDisposeScope();
        return new DiagonalGaussianDistribution(quant_conv.call(encoder.call(images)));
    }

    /// <summary>Decodes latents [B, latent, h, w]; no scaling factor is applied here.</summary>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(decoder.call(post_quant_conv.call(latents)));
    }

    /// <summary>Reconstruction: decode the posterior mean of the images.</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var posterior = Encode(images);
        return scope.MoveToOuter(Decode(posterior.Mean));
    }

    /// <summary>Loads <c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c> strictly (see
    /// <see cref="Unets.UNet2DConditionModel.FromPretrained"/>).</summary>
    public static AutoencoderKL FromPretrained(string folder, Device? device = null, ScalarType? dtype = null) =>
        DiffusersFolder.Load(folder, ConfigFileName,
            (AutoencoderKLConfig c) => new AutoencoderKL(c), device, dtype);

    public void SavePretrained(string folder) => DiffusersFolder.Save(this, Config, folder, ConfigFileName, WeightsFileName);
}
