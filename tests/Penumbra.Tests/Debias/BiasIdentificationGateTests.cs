using Penumbra.Debias;
using static TorchSharp.torch;

namespace Penumbra.Tests.Debias;

public class BiasIdentificationGateTests
{
    private static BiasSubspace Subspace() => new(eye(2, dtype: ScalarType.Float64), tensor(new double[] { 1, 0 }), 0.5,
        new BiasSubspaceSpec { Pairs = new[] { new AttributePair("male", "female") }, Items = new[] { "doctor" } });

    [Theory]
    [InlineData(0.3, 0.1, false, false, 0, GateReason.Skewed)]
    [InlineData(-0.3, 0.1, false, false, 1, GateReason.Skewed)]
    [InlineData(0.05, 0.1, false, false, -1, GateReason.Balanced)]
    [InlineData(0.3, 0.1, true, false, -1, GateReason.EmptyPrompt)]
    [InlineData(0.3, 0.1, false, true, -1, GateReason.NamesAttribute)]
    public void RulesInOrder(double skew, double energy, bool empty, bool named, int expert, GateReason reason)
    {
        var gate = new BiasIdentificationGate(Subspace(), new BiasGateOptions { Threshold = 0.1 }, 2);
        var d = gate.Decide(skew, energy, empty, named);
        Assert.Equal(expert, d.Expert);
        Assert.Equal(reason, d.Reason);
    }

    [Fact]
    public void OneExpertTakesBothSignsAndNoGateRoutesEverythingButTheEmptyPrompt()
    {
        var single = new BiasIdentificationGate(Subspace(), new BiasGateOptions(), 1);
        Assert.Equal(0, single.Decide(-0.3, 0, false, false).Expert);
        var always = new BiasIdentificationGate(Subspace(), new BiasGateOptions { UseGate = false }, 2);
        Assert.Equal(1, always.Decide(-0.01, 0.9, false, true).Expert);
        Assert.True(always.Decide(0.3, 0, true, false).IsIdentity);
        var energy = new BiasIdentificationGate(Subspace(), new BiasGateOptions { UseEnergyRule = true }, 2);
        Assert.Equal(GateReason.HighEnergy, energy.Decide(0.3, 0.5, false, false).Reason);
        Assert.Equal(new[] { "male", "female" }, energy.AttributeWords);
    }

    [Fact]
    public void RoutingOfPromptsIsDeterministicAndColourWordsGoToIdentity()
    {
        var tokenizer = DebiasTestModels.Tokenizer();
        using var encoder = DebiasTestModels.TextEncoder();
        using var mixture = DebiasTestModels.Mixture(encoder, tokenizer);
        using var attached = mixture.Attach(encoder, tokenizer);
        var prompts = new[] { "a circle", "a big square on the left", "ring, top", "a red circle", "a picture of a small blue cross", "" };
        var first = attached.Route(prompts);
        Assert.Equal(first, attached.Route(prompts));
        // Another batch order gives the same routes (skews agree to float rounding of the batched forward).
        var reordered = attached.Route(prompts.Reverse().ToArray()).Reverse().ToArray();
        Assert.Equal(first.Select(d => (d.Expert, d.Reason)), reordered.Select(d => (d.Expert, d.Reason)));
        Assert.All(first.Zip(reordered), p => Assert.Equal(p.First.Skew, p.Second.Skew, 1e-5));
        Assert.All(first.Take(3), d => Assert.False(d.IsIdentity));   // tau = 0: every colourless prompt is skewed one way
        Assert.Equal(GateReason.NamesAttribute, first[3].Reason);
        Assert.Equal(GateReason.NamesAttribute, first[4].Reason);
        Assert.Equal(GateReason.EmptyPrompt, first[5].Reason);
        Assert.All(first.Take(3), d => Assert.Equal(d.Skew > 0 ? 0 : 1, d.Expert));
    }
}
