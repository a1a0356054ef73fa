using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Clip;

/// <summary>
/// transformers 4.36 <c>CLIPTextTransformer</c>: embeddings, encoder with a causal mask (plus an optional padding mask),
/// <c>final_layer_norm</c>, and the pooled output at the end-of-text position: the first position whose id is
/// <c>eos_token_id</c>, or, for configs with the legacy <c>eos_token_id == 2</c>, the position of the largest id.
/// </summary>
public sealed class CLIPTextTransformer : nn.Module
{
    private readonly CLIPTextEmbeddings embeddings;
    private readonly CLIPEncoder encoder;
    private readonly LayerNorm final_layer_norm;
    private readonly int? _eosTokenId;

    public CLIPTextTransformer(CLIPTextConfig config) : base(nameof(CLIPTextTransformer))
    {
        Config = config;
        _eosTokenId = config.EosTokenId;
        embeddings = new CLIPTextEmbeddings(config.VocabSize, config.HiddenSize, config.MaxPositionEmbeddings);
        encoder = new CLIPEncoder(config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads, config.IntermediateSize,
            config.HiddenAct, config.LayerNormEps);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    public CLIPTextConfig Config { get; }

    /// <summary>Runs the tower on <c>[B,T]</c> int64 ids; <paramref name="attentionMask"/> is <c>[B,T]</c> of 1 (keep) / 0 (pad).</summary>
    public ClipTextOutput Forward(Tensor inputIds, Tensor? attentionMask = null)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input_ids must be [batch, length], got [{string.Join(",", inputIds.shape)}]");
        using var scope = NewDisposeScope();
        var hidden = embeddings.call(inputIds);
        long b = inputIds.shape[0], t = inputIds.shape[1];
        double min = MinValue(hidden.dtype);
        var causal = torch.full(new[] { t, t }, min, dtype: hidden.dtype, device: hidden.device).triu(1).view(1, 1, t, t);
        Tensor? padding = null;
        if (attentionMask is not null)
            padding = ((1.0 - attentionMask.to(hidden.dtype)) * min).view(b, 1, 1, t).expand(b, 1, t, t);
        var states = encoder.Run(hidden, causal, padding);
        var last = final_layer_norm.call(states[^1]);
        var eos = _eosTokenId is null or 2
            ? inputIds.to(int64).argmax(-1)
            : inputIds.eq(_eosTokenId.Value).to(int32).argmax(-1);
        var pooled = last[torch.arange(b, device: last.device), eos.to(last.device)];
        var output = new ClipTextOutput(last, pooled, states);
        scope.MoveToOuter(states.Cast<IDisposable>().Append(last).Append(pooled));
        return output;
    }

    /// <summary><c>final_layer_norm</c> of any hidden state: diffusers' clip skip feeds
    /// <c>FinalLayerNorm(HiddenStates[^(1 + clipSkip)])</c> to the UNet.</summary>
    public Tensor FinalLayerNorm(Tensor hidden) => final_layer_norm.call(hidden);

    internal static double MinValue(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => -65504.0,
        ScalarType.BFloat16 => -3.3895313892515355e38,
        ScalarType.Float64 => double.MinValue,
        _ => float.MinValue,
    };
}
