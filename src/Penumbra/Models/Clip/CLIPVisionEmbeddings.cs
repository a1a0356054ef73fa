using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPVisionEmbeddings</c>: a bias-free patch convolution (kernel = stride = patch size),
/// the learned <c>class_embedding</c> prepended, plus a learned position embedding per token.</summary>
public sealed class CLIPVisionEmbeddings : nn.Module<Tensor, Tensor>
{
    private readonly Parameter class_embedding;
    private readonly Conv2d patch_embedding;
    private readonly Embedding position_embedding;
    private readonly int _imageSize;
    private readonly int _positions;

    public CLIPVisionEmbeddings(CLIPVisionConfig config) : base(nameof(CLIPVisionEmbeddings))
    {
        if (config.PatchSize <= 0 || config.ImageSize % config.PatchSize != 0)
            throw new ArgumentException($"image_size {config.ImageSize} is not a multiple of patch_size {config.PatchSize}");
        _imageSize = config.ImageSize;
        _positions = (config.ImageSize / config.PatchSize) * (config.ImageSize / config.PatchSize) + 1;
        class_embedding = new Parameter(torch.randn(config.HiddenSize));
        patch_embedding = nn.Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize, bias: false);
        position_embedding = nn.Embedding(_positions, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor pixelValues)
    {
        if (pixelValues.dim() != 4 || pixelValues.shape[2] != _imageSize || pixelValues.shape[3] != _imageSize)
            throw new ArgumentException(
                $"pixel_values must be [batch, channels, {_imageSize}, {_imageSize}], got [{string.Join(",", pixelValues.shape)}]");
        using var scope = NewDisposeScope();
        long b = pixelValues.shape[0];
        var patches = patch_embedding.call(pixelValues.to(class_embedding.dtype)).flatten(2).transpose(1, 2);
        var cls = class_embedding.view(1, 1, -1).expand(b, 1, -1);
        var positions = torch.arange(_positions, dtype: int64, device: patches.device).unsqueeze(0);
        return scope.MoveToOuter(torch.cat(new[] { cls, patches }, 1) + position_embedding.call(positions));
    }
}
