using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPVisionTransformer</c>: embeddings, <c>pre_layrnorm</c> (sic), encoder without masks,
/// <c>post_layernorm</c> applied to the class token only.</summary>
public sealed class CLIPVisionTransformer : nn.Module
{
    private readonly CLIPVisionEmbeddings embeddings;
    private readonly LayerNorm pre_layrnorm;
    private readonly CLIPEncoder encoder;
    private readonly LayerNorm post_layernorm;

    public CLIPVisionTransformer(CLIPVisionConfig config) : base(nameof(CLIPVisionTransformer))
    {
        Config = config;
        embeddings = new CLIPVisionEmbeddings(config);
        pre_layrnorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        encoder = new CLIPEncoder(config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize,
            config.HiddenAct, config.LayerNormEps);
        post_layernorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    public CLIPVisionConfig Config { get; }

    /// <summary>Runs the tower on <c>[B,C,H,W]</c> normalised pixels (<see cref="Imaging.ClipImageProcessor"/>).</summary>
    public ClipVisionOutput Forward(Tensor pixelValues)
    {
        using var scope = NewDisposeScope();
        var hidden = pre_layrnorm.call(embeddings.call(pixelValues));
        var states = encoder.Run(hidden, null, null);
        var last = states[^1];
        var pooled = post_layernorm.call(last[.., 0, ..]);
        scope.MoveToOuter(states.Cast<IDisposable>().Append(pooled));
        return new ClipVisionOutput(last, pooled, states);
    }
}
