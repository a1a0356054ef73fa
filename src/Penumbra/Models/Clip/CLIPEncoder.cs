using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>transformers' <c>CLIPEncoder</c>: <c>layers.N</c>. <see cref="Run"/> returns every hidden state: the input
/// followed by the output of each layer (transformers' <c>hidden_states</c> tuple).</summary>
public sealed class CLIPEncoder : nn.Module
{
    private readonly ModuleList<CLIPEncoderLayer> layers;

    public CLIPEncoder(int numLayers, int hiddenSize, int numHeads, int intermediateSize, string hiddenAct, double layerNormEps)
        : base(nameof(CLIPEncoder))
    {
        if (numLayers < 0) throw new ArgumentException($"num_hidden_layers {numLayers} is negative");
        layers = new ModuleList<CLIPEncoderLayer>();
        for (int i = 0; i < numLayers; i++)
            layers.Add(new CLIPEncoderLayer(hiddenSize, numHeads, intermediateSize, hiddenAct, layerNormEps));
        RegisterComponents();
    }

    public int LayerCount => layers.Count;

    /// <summary>Runs the layers; the result has <see cref="LayerCount"/> + 1 tensors, the last one being the output.</summary>
    public List<Tensor> Run(Tensor hidden, Tensor? causalMask, Tensor? attentionMask)
    {
        var states = new List<Tensor> { hidden };
        foreach (var layer in layers)
            states.Add(layer.call(states[^1], causalMask, attentionMask));
        return states;
    }
}
