using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>A UNet down block: <c>(hidden_states, temb, encoder_hidden_states)</c> → the hidden states after the
/// block and the residuals it hands to the up blocks (one per resnet, plus the downsampler output).</summary>
public abstract class UNetDownBlock : nn.Module<Tensor, Tensor, Tensor?, (Tensor Hidden, Tensor[] Residuals)>
{
    protected UNetDownBlock(string name) : base(name) { }
}
