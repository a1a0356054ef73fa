using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>A UNet mid block: <c>(hidden_states, temb, encoder_hidden_states)</c> → hidden states of the same shape.</summary>
public abstract class UNetMidBlock : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    protected UNetMidBlock(string name) : base(name) { }

    /// <summary>The mid block diffusers' <c>UNet2DConditionModel</c> builds for <c>mid_block_type</c> (null: none).</summary>
    public static UNetMidBlock? Create(string? midBlockType, UNetBlockSpec spec) => midBlockType switch
    {
        null => null,
        "UNetMidBlock2DCrossAttn" => new UNetMidBlock2DCrossAttn(spec.InChannels, spec.TembChannels, spec.Groups, spec.Eps, spec.ActFn,
            spec.CrossAttentionDim, spec.Heads, spec.UseLinearProjection, spec.UpcastAttention, spec.TransformerLayers,
            dropout: spec.Dropout, outputScaleFactor: spec.OutputScaleFactor),
        "UNetMidBlock2D" => new UNetResnetMidBlock(spec.InChannels, spec.TembChannels, spec.Groups, spec.Eps, spec.ActFn, spec.Dropout,
            spec.OutputScaleFactor),
        _ => throw new ArgumentException($"mid_block_type: unknown mid block type '{midBlockType}'", nameof(midBlockType)),
    };
}
