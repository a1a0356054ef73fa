using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>One call of a tapped submodule, as seen by a <see cref="ModuleTaps"/> handler.</summary>
/// <param name="Path">The dotted name of the submodule (its state-dict prefix), e.g. <c>mid_block</c>.</param>
/// <param name="Module">The submodule itself.</param>
/// <param name="Inputs">All arguments of its <c>call</c>, in order.</param>
/// <param name="Output">Its output tensor (for blocks that return a tuple, such as UNet down blocks, the first element).</param>
public sealed record TapEvent(string Path, nn.Module Module, IReadOnlyList<object?> Inputs, Tensor Output)
{
    /// <summary>The first argument (the hidden states for every UNet / VAE block), or null when it is not a tensor.</summary>
    public Tensor? Input => Inputs.Count > 0 ? Inputs[0] as Tensor : null;
}
