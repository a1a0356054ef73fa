using TorchSharp;
using TorchSharp.Modules;

namespace Penumbra.Classifiers;

/// <summary>
/// An image classifier whose last layer is linear: <c>logits = W · features(x) + b</c>, with the final
/// <see cref="Linear"/> (W [C,d], b [C]) stored under <see cref="HeadName"/> (<c>fc</c> in torchvision's ResNets), so
/// <c>{HeadName}.weight</c> and <c>{HeadName}.bias</c> are its state-dict keys. The model editors of
/// <c>Penumbra.Editing</c> work on any implementation.
/// </summary>
public interface ILinearHeadClassifier
{
    /// <summary>The classifier itself as a module: <c>Module.call(x)</c> gives logits [N,C]; state_dict, train/eval.</summary>
    torch.nn.Module<torch.Tensor, torch.Tensor> Module { get; }

    /// <summary>State-dict prefix of the final linear layer.</summary>
    string HeadName { get; }

    /// <summary>The final linear layer (weight [C,d], bias [C]).</summary>
    Linear Head { get; }

    int NumClasses { get; }

    /// <summary>d, the length of the penultimate feature vector.</summary>
    int FeatureDim { get; }

    /// <summary>Penultimate features [N,d] of images x [N,3,H,W] (what the head sees).</summary>
    torch.Tensor Features(torch.Tensor x);

    /// <summary>A deep copy: same architecture, every parameter and buffer copied, same device and dtype.</summary>
    ILinearHeadClassifier Copy();
}
