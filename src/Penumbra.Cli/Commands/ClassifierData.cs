using System.CommandLine;
using Penumbra.Datasets;

namespace Penumbra.Cli.Commands;

/// <summary>The data options shared by <c>penumbra classifier …</c> and the train/val/test splits they open.</summary>
public sealed class ClassifierData
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "toy | waterbirds:DIR (metadata.csv) | celeba:DIR (list_attr_celeba + list_eval_partition)",
        DefaultValueFactory = _ => "toy",
    };
    public Option<string?> Target { get; } = new("--target") { Description = "CelebA target attribute, e.g. Blond_Hair" };
    public Option<string?> Spurious { get; } = new("--spurious") { Description = "CelebA spurious attribute, e.g. Male" };
    public Option<int> ToySamples { get; } = new("--toy-samples") { Description = "Toy world: training images (validation n/4 and test n/2, group-balanced)", DefaultValueFactory = _ => 4000 };
    public Option<double> ToyRate { get; } = new("--toy-spurious-rate") { Description = "Toy world: P(gray | circle) = P(black | square) in training", DefaultValueFactory = _ => 0.9 };
    public Option<int> ImageSize { get; } = new("--image-size") { Description = "Image side for folder datasets (resize shorter side to 8/7, centre crop)", DefaultValueFactory = _ => 224 };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Data);
        cmd.Options.Add(Target);
        cmd.Options.Add(Spurious);
        cmd.Options.Add(ImageSize);
        cmd.Options.Add(ToySamples);
        cmd.Options.Add(ToyRate);
    }

    public sealed record Splits(IGroupedImageSet Train, IGroupedImageSet Val, IGroupedImageSet Test, string Description);

    public Splits Open(ParseResult pr)
    {
        string spec = pr.GetValue(Data) ?? "toy";
        int size = pr.GetValue(ImageSize);
        if (size < 8) throw new ArgumentException($"--image-size {size} is too small");
        var transform = new ImageTransform { Size = size, ResizeTo = (int)Math.Round(size * 8 / 7.0) };
        int colon = spec.IndexOf(':');
        string kind = colon < 0 ? spec : spec[..colon], dir = colon < 0 ? "" : spec[(colon + 1)..];
        switch (kind)
        {
            case "toy":
                return ClassifierToyData.Open(pr.GetValue(ToySamples), pr.GetValue(ToyRate));
            case "waterbirds":
            {
                var all = WaterbirdsMetadata.Read(Required(dir, spec), transform: transform);
                return new Splits(all.Split(DatasetSplit.Train), all.Split(DatasetSplit.Val), all.Split(DatasetSplit.Test), $"waterbirds {dir}");
            }
            case "celeba":
            {
                string target = pr.GetValue(Target) ?? throw new ArgumentException("--data celeba:DIR needs --target (e.g. Blond_Hair)");
                string spurious = pr.GetValue(Spurious) ?? throw new ArgumentException("--data celeba:DIR needs --spurious (e.g. Male)");
                var all = CelebAAttributes.Read(Required(dir, spec), target, spurious, transform);
                return new Splits(all.Split(DatasetSplit.Train), all.Split(DatasetSplit.Val), all.Split(DatasetSplit.Test), $"celeba {dir} target {target} spurious {spurious}");
            }
            default:
                throw new ArgumentException($"--data '{spec}': expected toy, waterbirds:DIR or celeba:DIR");
        }
    }

    private static string Required(string dir, string spec) =>
        dir.Length > 0 ? dir : throw new ArgumentException($"--data '{spec}': give the folder after the colon");
}
