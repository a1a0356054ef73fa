using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AttentionModule = Penumbra.Models.Attention.Attention;

namespace Penumbra.Bench;

/// <summary>Counts the multiply-add FLOPs (2 per MAC) of one forward pass from the shapes seen by taps on every
/// Conv2d, Linear and Attention module: conv 2·B·Cout·Hout·Wout·(Cin/groups)·k², linear 2·rows·in·out,
/// attention 4·B·Lq·Lk·C (QKᵀ and the weighted sum). Norms, activations and adds are left out (a few %).</summary>
public static class FlopCounter
{
    public static double Count(nn.Module model, Action forward)
    {
        double flops = 0;
        using var taps = new ModuleTaps(model);
        foreach (var (name, module) in model.named_modules())
        {
            if (string.IsNullOrEmpty(name)) continue;
            switch (module)
            {
                case Conv2d conv:
                    taps.Observe(name, e =>
                    {
                        var w = conv.weight!.shape; // [Cout, Cin/groups, kh, kw]
                        var o = e.Output.shape;     // [B, Cout, H, W]
                        flops += 2.0 * o[0] * o[1] * o[2] * o[3] * w[1] * w[2] * w[3];
                    });
                    break;
                case Linear linear:
                    taps.Observe(name, e =>
                    {
                        var w = linear.weight!.shape; // [out, in]
                        flops += 2.0 * (e.Output.numel() / w[0]) * w[0] * w[1];
                    });
                    break;
                case AttentionModule:
                    taps.Observe(name, e =>
                    {
                        var q = e.Output.shape; // [B, Lq, C]
                        long lk = e.Inputs.Count > 1 && e.Inputs[1] is Tensor ctx ? ctx.shape[1] : q.Length == 3 ? q[1] : q[2] * q[3];
                        long lq = q.Length == 3 ? q[1] : q[2] * q[3];
                        long c = q.Length == 3 ? q[2] : q[1];
                        flops += 4.0 * q[0] * lq * lk * c;
                    });
                    break;
            }
        }
        forward();
        return flops;
    }
}
