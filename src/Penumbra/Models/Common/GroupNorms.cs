using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// <c>nn.GroupNorm</c> with PyTorch's initial affine parameters (weight 1, bias 0). TorchSharp 0.107's GroupNorm
/// allocates them with <c>torch.empty</c> and never initialises them, so a freshly built (not loaded) model would
/// normalise with garbage; every GroupNorm of the UNet and VAE is made here.
/// </summary>
public static class GroupNorms
{
    public static GroupNorm Create(long numGroups, long numChannels, double eps)
    {
        var norm = nn.GroupNorm(numGroups, numChannels, eps, affine: true);
        using var noGrad = no_grad();
        norm.weight!.fill_(1.0);
        norm.bias!.zero_();
        return norm;
    }
}
