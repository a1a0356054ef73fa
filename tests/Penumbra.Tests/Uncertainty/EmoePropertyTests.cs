using System.Text.Json;
using Penumbra.Models.Common;
using Penumbra.MoE;
using Penumbra.Tests.Support;
using Penumbra.Uncertainty;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Penumbra.Tests.Uncertainty;

/// <summary>EMoE properties on <c>moe/tiny-segmoe</c> (fixtures README §9): identical experts give EU 0, the order of the
/// experts does not matter, and each batched path equals that path run alone, with the routing written out here from
/// emoe.json's module lists (pre-split: normal gating; split: expert i; downstream: expert i or normal gating).</summary>
public class EmoePropertyTests(ITestOutputHelper output)
{
    /// <summary>fixtures README §9 asks batched paths to equal single paths to 1e-5 (float32 accumulation order).</summary>
    private const double PathTolerance = 1e-5;

    internal static string ModelFolder => Fixtures.Path("moe", "tiny-segmoe");

    private static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path("reference", "emoe.json"))).RootElement;

    internal static (string Prompt, long Seed)[] Cases() => Reference().GetProperty("cases").EnumerateArray()
        .Select(c => (c.GetProperty("prompt").GetString()!, c.GetProperty("seed").GetInt64())).ToArray();

    private static string[] Modules(string key) =>
        Reference().GetProperty(key).EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public void IdenticalExpertsGiveEuExactlyZeroInBothModes()
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        foreach (var block in moe.Model.Blocks.Values)
            for (int e = 1; e < block.NumExperts; e++) ExpertModules.CopyWeights(block.Expert(0), block.Expert(e));
        var estimator = new EmoeEstimator(moe);
        var (prompts, seed) = (Cases().Select(c => c.Prompt).ToArray(), Cases()[0].Seed);
        foreach (var mode in new[] { EmoeMode.Expert, EmoeMode.Routed })
        {
            var results = estimator.Score(prompts, new EmoeOptions { Seed = seed, Mode = mode });
            foreach (var r in results)
            {
                Assert.Equal(0.0, r.Eu);
                using var mapMax = r.Map.abs().max();
                Assert.Equal(0.0, mapMax.item<double>());
                r.Dispose();
            }
        }
    }

    [Fact]
    public void EuIsInvariantToTheOrderOfTheExpertsInTheModel()
    {
        var (prompt, seed) = Cases()[1];
        var perm = new[] { 2, 0, 3, 1 };
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var estimator = new EmoeEstimator(moe);
        var before = new[] { EmoeMode.Expert, EmoeMode.Routed }.Select(m => estimator.Score(prompt, new EmoeOptions { Seed = seed, Mode = m })).ToArray();
        Assert.Equal(perm.Length, moe.Model.NumExperts);
        foreach (var block in moe.Model.Blocks.Values) PermuteExperts(block, perm);
        foreach (var (old, mode) in before.Zip(new[] { EmoeMode.Expert, EmoeMode.Routed }))
        {
            using var after = estimator.Score(prompt, new EmoeOptions { Seed = seed, Mode = mode });
            double rel = Math.Abs(after.Eu - old.Eu) / old.Eu;
            output.WriteLine($"{mode}: eu {old.Eu:E8} -> {after.Eu:E8} after permuting experts (rel {rel:E2})");
            Assert.True(rel <= 1e-6, $"{mode}: eu {old.Eu} vs {after.Eu}");
            for (int p = 0; p < perm.Length; p++)
                Assert.True(MaxAbs(after.PathLatents[p], old.PathLatents[perm[p]]) <= PathTolerance, $"{mode}: path {p} is not old path {perm[p]}");
            old.Dispose();
        }
    }

    [Fact]
    public void ExpertSubsetInAnyOrderGivesTheVarianceOverThoseExperts()
    {
        var (prompt, seed) = Cases()[2];
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var estimator = new EmoeEstimator(moe);
        using var all = estimator.Score(prompt, new EmoeOptions { Seed = seed });
        using var reversed = estimator.Score(prompt, new EmoeOptions { Seed = seed, Experts = Enumerable.Range(0, estimator.NumPaths).Reverse().ToArray() });
        Assert.True(Math.Abs(reversed.Eu - all.Eu) <= 1e-6 * all.Eu, $"reversed order: {reversed.Eu} vs {all.Eu}");
        var subset = new[] { 2, 0 };
        using var pair = estimator.Score(prompt, new EmoeOptions { Seed = seed, Experts = subset });
        using var a = all.PathLatents[subset[0]].to(ScalarType.Float64);
        using var b = all.PathLatents[subset[1]].to(ScalarType.Float64);
        using var d = a - b;
        double expected = (d * d).mean().item<double>() / 4; // population variance of two values: ((a-b)/2)^2
        output.WriteLine($"subset [2,0]: eu {pair.Eu:E8}, from the full run's paths {expected:E8}");
        Assert.True(Math.Abs(pair.Eu - expected) <= 1e-5 * expected, $"subset eu {pair.Eu} vs {expected}");
        Assert.Throws<ArgumentException>(() => estimator.Score(prompt, new EmoeOptions { Experts = new[] { 1, 1 } }));
        Assert.Throws<ArgumentException>(() => estimator.Score(prompt, new EmoeOptions { Experts = new[] { 0, estimator.NumPaths } }));
    }

    [Theory]
    [InlineData(EmoeMode.Expert)]
    [InlineData(EmoeMode.Routed)]
    public void BatchedPathsEqualEachPathRunAloneAndATapOnAPlainForward(EmoeMode mode)
    {
        using var moe = SegMoePipeline.FromPretrained(ModelFolder);
        var estimator = new EmoeEstimator(moe);
        var cases = Cases();
        var batch = estimator.Score(cases.Select(c => c.Prompt).ToArray(), new EmoeOptions { Seed = cases[0].Seed, Mode = mode });
        double worstAlone = 0, worstTap = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            var (latents, t, text) = Inputs(moe, cases[i].Prompt, cases[0].Seed);
            for (int p = 0; p < estimator.NumPaths; p++)
            {
                using (RouteOnePath(moe.Model, p, mode))
                {
                    using var alone = moe.Model.Unet.ForwardToMidBlock(latents, tensor(t, ScalarType.Float64), text);
                    using var taps = new ModuleTaps(moe.Model.Unet).Capture("mid_block");
                    using var eps = moe.Model.Unet.Forward(latents, t, text);
                    worstAlone = Math.Max(worstAlone, MaxAbs(batch[i].PathLatents[p], alone[0]));
                    worstTap = Math.Max(worstTap, MaxAbs(batch[i].PathLatents[p], taps.Captured["mid_block"][0]));
                }
            }
            latents.Dispose();
            text.Dispose();
            batch[i].Dispose();
        }
        output.WriteLine($"{mode}: max abs batched vs alone {worstAlone:E2}, vs mid_block tap on a full forward {worstTap:E2}");
        Assert.True(worstAlone <= PathTolerance, $"batched vs alone {worstAlone}");
        Assert.True(worstTap <= PathTolerance, $"batched vs tap {worstTap}");
    }

    /// <summary>The prompt's conditional embedding, the first timestep and the initial noise drawn from a CPU generator
    /// seeded with <paramref name="seed"/>, as in generation.</summary>
    internal static (Tensor Latents, double T, Tensor Text) Inputs(SegMoePipeline moe, string prompt, long seed, int? height = null, int? width = null)
    {
        var pipe = moe.Pipeline;
        using var embeds = pipe.EncodePrompt(new[] { prompt }, null, guidance: false);
        var scheduler = pipe.CreateScheduler();
        scheduler.SetTimesteps(25);
        double t = scheduler.Timesteps[0].to(ScalarType.Float64).item<double>();
        var shape = new long[] { 1, pipe.Unet.Config.InChannels, (height ?? pipe.DefaultHeight) / pipe.VaeScaleFactor, (width ?? pipe.DefaultWidth) / pipe.VaeScaleFactor };
        using var noise = randn(shape, generator: new Generator((ulong)seed, CPU));
        var latents = scheduler.ScaleModelInput(noise * scheduler.InitNoiseSigma, t);
        return (latents, t, embeds.Conditional.clone());
    }

    /// <summary>Routing of path <paramref name="path"/> on a batch of one row: normal gating before the split, expert
    /// <paramref name="path"/> alone at the split, and downstream expert <paramref name="path"/> (expert mode) or normal gating.</summary>
    internal static IDisposable RouteOnePath(SegMoeModel model, int path, EmoeMode mode)
    {
        var routing = model.Routing;
        var pre = Modules("pre_split_modules");
        var split = Modules("split_modules");
        var downstream = Modules("downstream_modules");
        Assert.Equal(model.Slots.Count, pre.Length + split.Length + downstream.Length);
        foreach (var m in split) routing.Set(m, MoeRoute.ForcedAll(path));
        foreach (var m in downstream) routing.Set(m, mode == EmoeMode.Expert ? MoeRoute.ForcedAll(path) : MoeRoute.Global);
        foreach (var m in pre) routing.Set(m, MoeRoute.Global);
        return new Undo(routing.Reset);
    }

    private static void PermuteExperts(SparseMoeBlock block, int[] perm)
    {
        using var noGrad = no_grad();
        var copies = Enumerable.Range(0, block.NumExperts).Select(e => ExpertModules.Copy(block.Expert(e))).ToArray();
        for (int e = 0; e < perm.Length; e++) ExpertModules.CopyWeights(copies[perm[e]], block.Expert(e));
        using var gate = block.Gate.weight!.clone();
        using var index = tensor(perm.Select(p => (long)p).ToArray());
        using var permuted = gate.index_select(0, index);
        block.SetGate(permuted);
        foreach (var c in copies) c.Dispose();
    }

    internal static double MaxAbs(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var d = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return d.item<double>();
    }

    private sealed class Undo(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
