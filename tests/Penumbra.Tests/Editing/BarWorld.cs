using Penumbra.Classifiers;
using Penumbra.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Tests.Editing;

/// <summary>
/// A stand-in image world for editor tests: class 0 = a vertical bar, class 1 = a horizontal bar, in a random bright
/// colour at a random place; the attribute is the background (0 black, 1 gray), equal to the class with probability
/// <c>correlation</c>, so a classifier can lean on the background.
/// </summary>
internal static class BarWorld
{
    public const int Size = 12;

    public static GroupedTensorSet Make(int n, double correlation, int seed)
    {
        var rng = new Random(seed);
        var pixels = new float[n * 3 * Size * Size];
        var y = new int[n];
        var a = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(2);
            a[i] = rng.NextDouble() < correlation ? y[i] : 1 - y[i];
            float bg = a[i] == 1 ? 0.5f : 0f;
            var colour = new[] { 0.6f + 0.4f * (float)rng.NextDouble(), 0.6f + 0.4f * (float)rng.NextDouble(), 0.6f + 0.4f * (float)rng.NextDouble() };
            int c0 = rng.Next(2, Size - 6), r0 = rng.Next(2, Size - 6);
            for (int ch = 0; ch < 3; ch++)
                for (int r = 0; r < Size; r++)
                    for (int c = 0; c < Size; c++)
                    {
                        bool bar = y[i] == 0 ? (c == c0 + 2 && r >= r0 && r < r0 + 5) : (r == r0 + 2 && c >= c0 && c < c0 + 5);
                        pixels[((i * 3 + ch) * Size + r) * Size + c] = (bar ? colour[ch] : bg) + 0.05f * (float)(rng.NextDouble() - 0.5);
                    }
        }
        return new GroupedTensorSet(tensor(pixels, new long[] { n, 3, Size, Size }), y, a, new[] { "vertical", "horizontal" }, new[] { "black", "gray" });
    }
}

/// <summary>A small CNN for the bar world (conv, relu, conv, relu, global average pool, fc).</summary>
internal sealed class BarCnn : nn.Module<Tensor, Tensor>, ILinearHeadClassifier
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc;

    public BarCnn(int seed) : base(nameof(BarCnn))
    {
        manual_seed(seed);
        conv1 = nn.Conv2d(3, 8, 3, padding: 1);
        conv2 = nn.Conv2d(8, 16, 3, padding: 1);
        fc = nn.Linear(16, 2);
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor> Module => this;
    public string HeadName => "fc";
    public Linear Head => fc;
    public int NumClasses => 2;
    public int FeatureDim => 16;

    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(conv2.call(nn.functional.relu(conv1.call(x))));
        return scope.MoveToOuter(h.mean(new long[] { 2, 3 }));
    }

    public override Tensor forward(Tensor x) => fc.call(Features(x));

    public ILinearHeadClassifier Copy()
    {
        var copy = new BarCnn(0);
        copy.load_state_dict(state_dict());
        copy.eval();
        return copy;
    }
}
