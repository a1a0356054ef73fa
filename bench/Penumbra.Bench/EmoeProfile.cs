using System.Diagnostics;
using Penumbra.MoE;
using Penumbra.Uncertainty;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Bench;

/// <summary>Where EMoE's time goes on the SD 1.5 shaped SegMoE of <see cref="EmoeBench.RunSd15"/> (one thread).</summary>
public static class EmoeProfile
{
    public static void Run(SegMoePipeline moe)
    {
        var pipe = moe.Pipeline;
        var estimator = new EmoeEstimator(moe);
        const string prompt = "a photo of an astronaut riding a horse";
        double T(string name, Action a)
        {
            a();
            var sw = Stopwatch.StartNew();
            a();
            Console.WriteLine($"  {name,-48} {sw.Elapsed.TotalMilliseconds,10:F1} ms");
            return sw.Elapsed.TotalMilliseconds;
        }
        using var embeds = pipe.EncodePrompt(new[] { prompt }, null, guidance: false);
        var x1 = randn(1, 4, 32, 32).to(pipe.DType);
        var x4 = x1.expand(4, -1, -1, -1).contiguous();
        var c4 = embeds.Conditional.expand(4, -1, -1).contiguous();
        var t = tensor(981.0);
        T("EncodePrompt (1 prompt)", () => { using var e = pipe.EncodePrompt(new[] { prompt }, null, guidance: false); });
        T("Score (EU, 1 prompt, 256x256)", () => { using var r = estimator.Score(prompt, new EmoeOptions { Height = 256, Width = 256 }); });
        T("UNet full, 1 row, global routing", () => { using var y = moe.Model.Unet.Forward(x1, 981, embeds.Conditional); });
        T("to mid block, 1 row, global routing", () => { using var y = moe.Model.Unet.ForwardToMidBlock(x1, t, embeds.Conditional); });
        T("to mid block, 4 rows, each row gated", () => { using var r = moe.Model.Routing.Use(MoeRoute.EachRow); using var y = moe.Model.Unet.ForwardToMidBlock(x4, t, c4); });
        T("to mid block, 4 rows, forced 0,1,2,3", () => { using var r = moe.Model.Routing.Use(MoeRoute.Forced(0, 1, 2, 3)); using var y = moe.Model.Unet.ForwardToMidBlock(x4, t, c4); });
        T("to mid block, 4 rows, forced all 0", () => { using var r = moe.Model.Routing.Use(MoeRoute.ForcedAll(0)); using var y = moe.Model.Unet.ForwardToMidBlock(x4, t, c4); });
        moe.Model.Routing.CaptureProbabilities = true;
        T("to mid block, 1 row, capturing probabilities", () => { using var y = moe.Model.Unet.ForwardToMidBlock(x1, t, embeds.Conditional); });
        moe.Model.Routing.CaptureProbabilities = false;
    }
}
