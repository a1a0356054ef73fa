using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>A UNet mid block: <c>(hidden_states, temb, encoder_hidden_states)</c> → hidden states of the same shape
/// (built by <see cref="UNetBlocks.CreateMid"/>).</summary>
public abstract class UNetMidBlock : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    protected UNetMidBlock(string name) : base(name) { }
}
