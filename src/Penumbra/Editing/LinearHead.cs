using Penumbra.Classifiers;
using TorchSharp;

namespace Penumbra.Editing;

/// <summary>A detached float32 CPU copy of a classifier's final linear layer (W [C,d], b [C]) with its state-dict prefix.</summary>
public sealed class LinearHead
{
    public LinearHead(string name, torch.Tensor weight, torch.Tensor bias)
    {
        if (weight.dim() != 2 || bias.dim() != 1 || weight.shape[0] != bias.shape[0])
            throw new ArgumentException($"head '{name}': weight [{string.Join(",", weight.shape)}] and bias [{string.Join(",", bias.shape)}] do not form a linear layer");
        Name = name;
        Weight = weight.detach().to(torch.ScalarType.Float32).cpu().clone();
        Bias = bias.detach().to(torch.ScalarType.Float32).cpu().clone();
    }

    public static LinearHead Of(ILinearHeadClassifier model) =>
        new(model.HeadName, model.Head.weight ?? throw new ArgumentException("the head has no weight"),
            model.Head.bias ?? throw new ArgumentException($"head '{model.HeadName}' has no bias: the class-bias edit needs one"));

    public string Name { get; }
    public torch.Tensor Weight { get; }
    public torch.Tensor Bias { get; }
    public int NumClasses => (int)Weight.shape[0];
    public int FeatureDim => (int)Weight.shape[1];
    public string WeightKey => Name + ".weight";
    public string BiasKey => Name + ".bias";

    public torch.Tensor Logits(torch.Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return scope.MoveToOuter(torch.nn.functional.linear(features, Weight, Bias));
    }

    public int[] Predict(torch.Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return Logits(features).argmax(1).data<long>().Select(v => (int)v).ToArray();
    }

    /// <summary>z_y − max_{k≠y} z_k for every sample (positive = correctly classified with that much room).</summary>
    public double[] Margins(torch.Tensor features, IReadOnlyList<int> labels)
    {
        using var scope = torch.NewDisposeScope();
        var z = Logits(features).to(torch.ScalarType.Float64);
        var y = torch.tensor(labels.Select(v => (long)v).ToArray()).unsqueeze(1);
        var own = z.gather(1, y).squeeze(1);
        var ownMask = torch.zeros_like(z, torch.ScalarType.Bool).scatter_(1, y, torch.ones_like(y, torch.ScalarType.Bool));
        var others = z.masked_fill(ownMask, double.NegativeInfinity).max(1).values;
        return (own - others).data<double>().ToArray();
    }

    /// <summary>A copy with one element set: <paramref name="key"/> is <see cref="WeightKey"/> or <see cref="BiasKey"/>.</summary>
    public LinearHead With(string key, long[] index, float value)
    {
        var copy = new LinearHead(Name, Weight, Bias);
        var target = key == WeightKey ? copy.Weight : key == BiasKey ? copy.Bias
            : throw new ArgumentException($"'{key}' is not a parameter of head '{Name}'");
        target[index.Select(i => torch.TensorIndex.Single(i)).ToArray()] = torch.tensor(value);
        return copy;
    }
}
