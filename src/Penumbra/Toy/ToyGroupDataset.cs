using Penumbra.Datasets;
using static TorchSharp.torch;

namespace Penumbra.Toy;

/// <summary>
/// Seeded shape-classification data with group labels: group = label · 2 + background (0 = black, 1 = gray), so
/// there are <c>2 · Classes.Count</c> groups; <see cref="GroupName"/> names them ("circle/black").
/// </summary>
public sealed class ToyGroupDataset
{
    private readonly Random rng;

    public ToyGroupDatasetOptions Options { get; }

    public int GroupCount => 2 * Options.Classes.Count;

    public ToyGroupDataset(ToyGroupDatasetOptions options, int seed)
    {
        options.Validate();
        Options = options;
        rng = new Random(seed);
    }

    public static int GroupOf(int label, ToyBackground background) => 2 * label + (int)background;

    public string GroupName(int group) =>
        $"{ToyVocabulary.Word(Options.Classes[group / 2], ToyLanguage.English)}/{ToyVocabulary.Word((ToyBackground)(group % 2), ToyLanguage.English)}";

    public ToyGroupSample Next()
    {
        int label;
        ToyBackground background;
        if (Options.Balanced)
        {
            int group = rng.Next(GroupCount);
            label = group / 2;
            background = (ToyBackground)(group % 2);
        }
        else
        {
            label = rng.Next(Options.Classes.Count);
            double pGray = Options.Classes[label] switch
            {
                ToyShape.Circle => Options.SpuriousRate,
                ToyShape.Square => 1 - Options.SpuriousRate,
                _ => 0.5,
            };
            background = rng.NextDouble() < pGray ? ToyBackground.Gray : ToyBackground.Black;
        }
        var colors = Enum.GetValues<ToyColor>();
        var positions = Enum.GetValues<ToyPosition>();
        var sizes = Enum.GetValues<ToySize>();
        var scene = new ToyScene(Options.Classes[label], colors[rng.Next(colors.Length)], positions[rng.Next(positions.Length)],
            sizes[rng.Next(sizes.Length)], background)
        {
            OffsetX = (2 * rng.NextDouble() - 1) * Options.PositionJitter,
            OffsetY = (2 * rng.NextDouble() - 1) * Options.PositionJitter,
            Scale = 1 + (2 * rng.NextDouble() - 1) * Options.ScaleJitter,
        };
        return new ToyGroupSample(scene, label, GroupOf(label, background));
    }

    public IReadOnlyList<ToyGroupSample> Take(int count)
    {
        var samples = new ToyGroupSample[count];
        for (int i = 0; i < count; i++) samples[i] = Next();
        return samples;
    }

    /// <summary>Attribute names of <see cref="ToGroupedSet"/>: the backgrounds in enum order.</summary>
    public static readonly string[] AttributeNames = Enum.GetValues<ToyBackground>().Select(b => ToyVocabulary.Word(b, ToyLanguage.English)).ToArray();

    /// <summary>
    /// The next <paramref name="count"/> samples as an in-memory grouped set (class = shape, attribute = background).
    /// With <paramref name="degradation"/> &gt; 0 every image is blurred by σ uniform in [0, 1.2 · degradation] pixels
    /// (in four levels) and gets Gaussian noise of standard deviation uniform in [0, 0.15 · degradation], drawn from
    /// <paramref name="generatorSeed"/>.
    /// </summary>
    public GroupedTensorSet NextSet(int count, double degradation = 0, int generatorSeed = 0)
    {
        var samples = Take(count);
        var (images, labels, groups) = ToTensors(samples);
        using (groups)
        using (labels)
        {
            if (degradation > 0)
            {
                using var scope = NewDisposeScope();
                var gen = new TorchSharp.torch.Generator((ulong)generatorSeed);
                var level = randint(0, 4, new long[] { count }, generator: gen);
                var noise = rand(new long[] { count, 1, 1, 1 }, generator: gen) * (float)(0.15 * degradation);
                var outp = images.clone();
                for (int l = 1; l < 4; l++)
                {
                    var idx = nonzero(level == l).flatten();
                    if (idx.numel() == 0) continue;
                    outp.index_copy_(0, idx, ToyDegradation.GaussianBlur(images.index_select(0, idx), l * 0.4 * degradation));
                }
                outp = outp + noise * randn(outp.shape, generator: gen);
                images.Dispose();
                images = scope.MoveToOuter(outp);
            }
            var names = Options.Classes.Select(c => ToyVocabulary.Word(c, ToyLanguage.English)).ToArray();
            var set = new GroupedTensorSet(images, samples.Select(s => s.Label).ToArray(), samples.Select(s => (int)s.Scene.Background).ToArray(),
                names, AttributeNames);
            images.Dispose();
            return set;
        }
    }

    /// <summary>Rendered images [N,3,H,W] in [-1,1], labels [N] and groups [N] (int64) of samples.</summary>
    public (Tensor Images, Tensor Labels, Tensor Groups) ToTensors(IReadOnlyList<ToyGroupSample> samples)
    {
        var images = samples.Select(s => ToyRenderer.Render(s.Scene, Options.ImageSize)).ToArray();
        return (ToyImages.ToBatch(images), tensor(samples.Select(s => (long)s.Label).ToArray()),
            tensor(samples.Select(s => (long)s.Group).ToArray()));
    }
}
