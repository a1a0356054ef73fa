using Penumbra.IO;
using Penumbra.Models.Attention;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.Models.Unets;

public class ModuleReplacerTests
{
    /// <summary>SegMoE's key layout (<c>gate.weight</c>, <c>experts.N.*</c>) with two identical experts averaged, so the
    /// replaced layer computes what the original did.</summary>
    private sealed class TwoExperts : nn.Module<Tensor, Tensor>
    {
        private readonly Linear gate;
        private readonly ModuleList<nn.Module<Tensor, Tensor>> experts;

        public TwoExperts(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, long inFeatures) : base(nameof(TwoExperts))
        {
            gate = nn.Linear(inFeatures, 2, hasBias: false);
            experts = nn.ModuleList(a, b);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => (experts[0].call(x) + experts[1].call(x)) / 2;
    }

    private static Linear CopyOf(Linear l)
    {
        var c = nn.Linear(l.in_features, l.out_features, hasBias: l.bias is not null);
        using var _ = no_grad();
        c.weight!.copy_(l.weight!);
        if (l.bias is not null) c.bias!.copy_(l.bias);
        return c;
    }

    [Fact]
    public void ReplacingToQAndFeedForwardKeepsKeysConsistentAndOutputsEqual()
    {
        using var model = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-sd", "unet"));
        using var refs = SafetensorsFile.Open(Fixtures.Path("reference", "unet_sd1.safetensors"));
        var x = refs.Load("in.sample");
        var t = refs.Load("in.timestep");
        var c = refs.Load("in.encoder_hidden_states");
        using var mode = inference_mode();
        var before = model.call(x, t, c);
        int keysBefore = model.state_dict().Count;

        const string q = "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q";
        const string ff = "mid_block.attentions.0.transformer_blocks.0.ff";
        var oldQ = (Linear)ModulePaths.Find(model, q);
        var replacedQ = ModuleReplacer.Replace(model, q, new TwoExperts(CopyOf(oldQ), CopyOf(oldQ), oldQ.in_features));
        Assert.Same(oldQ, replacedQ);
        var oldFf = (FeedForward)ModulePaths.Find(model, ff);
        var dim = ((Linear)ModulePaths.Find(oldFf, "net.2")).out_features;
        var copyFf = new FeedForward(dim);
        copyFf.load_state_dict(oldFf.state_dict());
        ModuleReplacer.Replace(model, ff, new TwoExperts(oldFf, copyFf, dim));

        var keys = model.state_dict().Keys.ToHashSet();
        Assert.DoesNotContain(q + ".weight", keys);
        Assert.Contains(q + ".gate.weight", keys);
        Assert.Contains(q + ".experts.0.weight", keys);
        Assert.Contains(q + ".experts.1.weight", keys);
        Assert.Contains(ff + ".experts.1.net.0.proj.weight", keys);
        Assert.Contains(ff + ".experts.0.net.2.bias", keys);
        Assert.DoesNotContain(ff + ".net.2.bias", keys);
        // to_q: one weight (no bias) -> gate + 2 experts; ff: 4 tensors -> gate + 2 x 4.
        Assert.Equal(keysBefore + 2 + 5, keys.Count);
        Assert.Same(ModulePaths.Find(model, q), ((Attention)ModulePaths.Find(model, q[..q.LastIndexOf('.')])).ToQ);

        var after = model.call(x, t, c);
        Assert.True((after - before).abs().max().item<float>() < 1e-5);
    }

    /// <summary>A stand-in with SegMoE's key layout and any number of experts (averaged; routing is not the point here).</summary>
    private sealed class AveragedExperts : nn.Module<Tensor, Tensor>
    {
        private readonly Linear gate;
        private readonly ModuleList<nn.Module<Tensor, Tensor>> experts;

        public AveragedExperts(long inFeatures, IEnumerable<nn.Module<Tensor, Tensor>> members) : base(nameof(AveragedExperts))
        {
            experts = nn.ModuleList(members.ToArray());
            gate = nn.Linear(inFeatures, experts.Count, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => stack(experts.Select(e => e.call(x)).ToArray()).mean(new long[] { 0 });
    }

    [Fact]
    public void TheSegMoeCheckpointLoadsStrictlyOnceItsLayersAreReplaced()
    {
        var folder = Fixtures.Path("moe", "tiny-segmoe", "unet");
        using var file = SafetensorsFile.Open(Path.Combine(folder, UNet2DConditionModel.WeightsFileName));
        var moePaths = file.Keys.Where(k => k.EndsWith(".gate.weight", StringComparison.Ordinal)).Select(k => k[..^".gate.weight".Length]).ToList();
        Assert.NotEmpty(moePaths);

        using var model = UNet2DConditionModel.FromPretrained(folder, beforeLoad: m =>
        {
            foreach (var path in moePaths)
            {
                var gateShape = file.Info(path + ".gate.weight").Shape;
                var original = (nn.Module<Tensor, Tensor>)ModulePaths.Find(m, path);
                nn.Module<Tensor, Tensor> Copy() => original switch
                {
                    Linear l => nn.Linear(l.in_features, l.out_features, hasBias: l.bias is not null),
                    FeedForward => new FeedForward(gateShape[1]),
                    _ => throw new InvalidOperationException(path),
                };
                ModuleReplacer.Replace(m, path, new AveragedExperts(gateShape[1], Enumerable.Range(0, (int)gateShape[0]).Select(_ => Copy())));
            }
        });
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Equal(file.Keys.ToHashSet(), keys);
        using var mode = inference_mode();
        var c = model.Config;
        var x = randn(1, c.InChannels, 8, 8);
        Assert.Equal(x.shape, model.call(x, tensor(3L), randn(1, 4, c.CrossAttentionDim.For(0, c.BlockOutChannels.Length))).shape);
    }

    [Fact]
    public void AModuleOfTheWrongTypeIsRejected()
    {
        using var model = UNet2DConditionModel.FromPretrained(Fixtures.Path("tiny-sd", "unet"));
        var e = Assert.Throws<ArgumentException>(() =>
            ModuleReplacer.Replace(model, "down_blocks.0.attentions.0.transformer_blocks.0.attn1", nn.Linear(2, 2)));
        Assert.Contains("attn1", e.Message);
    }
}
