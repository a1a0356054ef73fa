using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>
/// Normalisation layers with PyTorch's initialisation. TorchSharp 0.107's <c>nn.GroupNorm</c> leaves its affine
/// weight and bias uninitialised (seen here: values of ±1e25 or 0 in a fresh module), which is invisible when a
/// checkpoint is loaded but makes freshly built models (toy training, tests) produce NaN. PyTorch sets weight = 1, bias = 0.
/// </summary>
public static class Norms
{
    public static GroupNorm GroupNorm(long groups, long channels, double eps = 1e-5, bool affine = true)
    {
        var norm = nn.GroupNorm(groups, channels, eps, affine);
        if (affine)
            using (no_grad())
            {
                norm.weight!.fill_(1.0);
                norm.bias!.fill_(0.0);
            }
        return norm;
    }
}
