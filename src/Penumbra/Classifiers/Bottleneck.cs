using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Classifiers;

/// <summary>torchvision's Bottleneck (ResNet v1.5: the stride sits on the 3x3 convolution): 1x1, 3x3, 1x1 with
/// batch norm, output width <c>planes * 4</c>, identity or 1x1 <c>downsample</c> shortcut.</summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public Bottleneck(long inplanes, long planes, long stride, Sequential? downsampleModule) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = nn.BatchNorm2d(planes * Expansion);
        downsample = downsampleModule;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = nn.functional.relu(bn2.call(conv2.call(h)));
        h = bn3.call(conv3.call(h));
        var identity = downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(nn.functional.relu(h + identity));
    }
}
