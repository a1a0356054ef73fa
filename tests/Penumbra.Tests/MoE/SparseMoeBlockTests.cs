using Penumbra.MoE;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.MoE;

public class SparseMoeBlockTests
{
    private const long In = 6, Out = 5;
    private const int Experts = 4;

    [Fact]
    public void KeysAreGateAndExperts()
    {
        using var block = NewBlock(topK: 2, bias: true);
        Assert.Equal(new[] { "experts.0.bias", "experts.0.weight", "experts.1.bias", "experts.1.weight", "experts.2.bias",
            "experts.2.weight", "experts.3.bias", "experts.3.weight", "gate.weight" }, block.state_dict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new long[] { Experts, In }, block.Gate.weight!.shape);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ForwardFollowsTheSpecFormula(int topK)
    {
        using var block = NewBlock(topK, bias: true);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(3, 7, In, generator: new Generator(5));
        var y = block.call(x);

        // The spec's formula written out in float64 with plain loops over experts.
        var x64 = x.to(ScalarType.Float64).reshape(-1, In);
        var w = block.Gate.weight!.to(ScalarType.Float64);
        var logits = x64.matmul(w.t());
        var order = Enumerable.Range(0, Experts).OrderByDescending(e => logits[.., e].sum().item<double>()).Take(topK).ToArray();
        var expected = zeros(x64.shape[0], Out, ScalarType.Float64);
        var chosen = stack(order.Select(e => logits[.., e]).ToArray(), 1);
        var weights = chosen.exp() / chosen.exp().sum(1, keepdim: true);
        for (int i = 0; i < topK; i++)
        {
            var expert = (Linear)block.Expert(order[i]);
            var h = x64.matmul(expert.weight!.to(ScalarType.Float64).t()) + expert.bias!.to(ScalarType.Float64);
            expected += weights[.., i].unsqueeze(1) * h;
        }
        Assert.Equal(new long[] { 3, 7, Out }, y.shape);
        Assert.Equal(order, block.LastCall!.Selections[0]);
        Assert.True((y.reshape(-1, Out).to(ScalarType.Float64) - expected).abs().max().item<double>() < 1e-5);
    }

    [Fact]
    public void TopOneAndForcedExpertEqualThatExpertsLayerExactly()
    {
        using var block = NewBlock(topK: 1, bias: true);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, 9, In, generator: new Generator(6));
        var routed = block.call(x);
        int chosen = block.LastCall!.Selections[0].Single();
        Assert.True(routed.equal(block.Expert(chosen).call(x)).all().item<bool>());
        for (int e = 0; e < Experts; e++)
        {
            using var forced = block.Routing.Use(MoeRoute.ForcedAll(e));
            Assert.True(block.call(x).equal(block.Expert(e).call(x)).all().item<bool>(), $"forced expert {e}");
        }
    }

    [Fact]
    public void StackedRouteRoutesEachBlockOfRowsAsIfItWereTheWholeBatch()
    {
        using var block = NewBlock(topK: 2, bias: true);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(5, 3, In, generator: new Generator(11));
        var first = x.narrow(0, 0, 2);
        var second = x.narrow(0, 2, 3);
        Tensor expectedFirst, expectedSecond;
        int[] globalChoice;
        using (block.Routing.Use(MoeRoute.Global))
        {
            expectedFirst = block.call(first);
            globalChoice = block.LastCall!.Selections[0];
        }
        using (block.Routing.Use(MoeRoute.Forced(3, 0, 3))) expectedSecond = block.call(second);
        using (block.Routing.Use(MoeRoute.Stack((MoeRoute.Global, 2), (MoeRoute.Forced(3, 0, 3), 3))))
        {
            var y = block.call(x);
            Assert.True(y.narrow(0, 0, 2).equal(expectedFirst).all().item<bool>(), "rows 0-1 differ from the Global call on them alone");
            Assert.True(y.narrow(0, 2, 3).equal(expectedSecond).all().item<bool>(), "rows 2-4 differ from the forced call on them alone");
            var call = block.LastCall!;
            Assert.Equal(globalChoice, call.ExpertsOfRow(0));
            Assert.Equal(globalChoice, call.ExpertsOfRow(1));
            Assert.Equal(new[] { 3 }, call.ExpertsOfRow(2));
            Assert.Equal(new[] { 0 }, call.ExpertsOfRow(3));
            Assert.Equal(new[] { 3 }, call.ExpertsOfRow(4));
            Assert.True(block.call(first).equal(expectedFirst).all().item<bool>(), "a batch of the leading block alone follows that block's rule");
            Assert.Throws<ArgumentException>(() => block.call(x.narrow(0, 0, 3)));
        }
        using (block.Routing.Use(MoeRoute.Stack((MoeRoute.Global, 2), (MoeRoute.EachRow, 2))))
            Assert.Throws<ArgumentException>(() => block.call(x));
        Assert.Throws<ArgumentException>(() => MoeRoute.Stack((MoeRoute.Global, 0)));
    }

    [Fact]
    public void IdenticalExpertsGiveTheExpertWhateverTheGate()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var one = nn.Linear(In, Out, hasBias: true);
        var copies = Enumerable.Range(0, Experts).Select(_ => (nn.Module<Tensor, Tensor>)ExpertModules.Copy(one)).ToList();
        using var block = new SparseMoeBlock(In, Out, copies, topK: 3);
        block.SetGate(randn(Experts, In, generator: new Generator(7)) * 10);
        var x = randn(2, 4, In, generator: new Generator(8));
        Assert.True((block.call(x) - one.call(x)).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void GroupedRoutingEqualsEachGroupRunAlone()
    {
        using var block = NewBlock(topK: 2, bias: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Rows chosen so that the groups pick different experts.
        var x = randn(4, 5, In, generator: new Generator(9));
        x[1] = x[1] * -3;
        x[3] = x[3] * -3;
        var alone = new[] { x[0..2], x[2..4] }.Select(part => (Output: block.call(part), Route: block.LastCall!.Selections[0])).ToList();

        block.Routing.Default = MoeRoute.Grouped(0, 0, 1, 1);
        var batched = block.call(x);
        Assert.True((batched - cat(alone.Select(a => a.Output).ToArray(), 0)).abs().max().item<float>() < 1e-6);
        Assert.Equal(alone.Select(a => a.Route), block.LastCall!.Selections);
        Assert.Equal(new[] { 0, 0, 1, 1 }, block.LastCall.GroupOfRow);

        block.Routing.Default = MoeRoute.EachRow;
        var perRow = block.call(x);
        for (int r = 0; r < 4; r++)
        {
            block.Routing.Default = MoeRoute.Global;
            float error = (perRow[r] - block.call(x[r..(r + 1)])[0]).abs().max().item<float>();
            Assert.True(error < 1e-5, $"row {r}: {error}");
        }
    }

    [Fact]
    public void ForcedPerRowUsesEachRowsExpert()
    {
        using var block = NewBlock(topK: 2, bias: true);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(4, 3, In, generator: new Generator(10));
        block.Routing.Set(block.Path, MoeRoute.Forced(2, 0, 3, 2));
        var y = block.call(x);
        int[] experts = { 2, 0, 3, 2 };
        for (int r = 0; r < 4; r++)
        {
            float error = (y[r] - block.Expert(experts[r]).call(x[r..(r + 1)])[0]).abs().max().item<float>();
            Assert.True(error < 1e-5, $"row {r}: {error}");
            Assert.Equal(new[] { experts[r] }, block.LastCall!.ExpertsOfRow(r));
        }
        block.Routing.Set(block.Path, MoeRoute.Forced(0, 1));
        Assert.Contains("2 forced experts for a batch of 4 rows", Assert.Throws<ArgumentException>(() => block.call(x)).Message);
        block.Routing.Set(block.Path, MoeRoute.ForcedAll(Experts));
        Assert.Contains("forced expert 4", Assert.Throws<ArgumentException>(() => block.call(x)).Message);
    }

    [Fact]
    public void CapturedGateProbabilitiesAreTheSoftmaxOverAllExperts()
    {
        using var block = NewBlock(topK: 2, bias: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, 3, In, generator: new Generator(11));
        block.Routing.CaptureProbabilities = true;
        var calls = new List<string>();
        block.Routing.OnCall = c => calls.Add(c.Path);
        block.call(x);
        var p = block.LastCall!.GateProbabilities!;
        Assert.Equal(new long[] { 2, 3, Experts }, p.shape);
        var logits = x.matmul(block.Gate.weight!.t()).to(ScalarType.Float64);
        var expected = logits.exp() / logits.exp().sum(-1, keepdim: true);
        Assert.True((p.to(ScalarType.Float64) - expected).abs().max().item<double>() < 1e-6);
        double entropy = -(expected * expected.log()).sum(-1).mean().item<double>();
        Assert.Equal(entropy, block.LastCall.MeanGateEntropy(), 6);
        Assert.Equal(new[] { "blk" }, calls);
    }

    private static SparseMoeBlock NewBlock(int topK, bool bias)
    {
        var g = new Generator(3);
        var experts = new List<nn.Module<Tensor, Tensor>>();
        using (no_grad())
            for (int e = 0; e < Experts; e++)
            {
                var l = nn.Linear(In, Out, hasBias: bias);
                l.weight!.copy_(randn(Out, In, generator: g));
                if (bias) l.bias!.copy_(randn(Out, generator: g));
                experts.Add(l);
            }
        var block = new SparseMoeBlock(In, Out, experts, topK, "blk");
        using (no_grad()) block.SetGate(randn(Experts, In, generator: g));
        return block;
    }
}
