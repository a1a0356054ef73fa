using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>A UNet up block: <c>(hidden_states, residuals, temb, encoder_hidden_states, upsample_size)</c> → hidden
/// states. It takes its <see cref="ResnetCount"/> residuals from the end of <c>residuals</c>, last one first.</summary>
public abstract class UNetUpBlock : nn.Module<Tensor, Tensor[], Tensor, Tensor?, long[]?, Tensor>
{
    protected UNetUpBlock(string name) : base(name) { }

    /// <summary>How many skip connections the block consumes (diffusers' <c>len(block.resnets)</c>).</summary>
    public abstract int ResnetCount { get; }
}
