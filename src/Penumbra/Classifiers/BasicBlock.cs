using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Classifiers;

/// <summary>torchvision's BasicBlock: two 3x3 convolutions with batch norm, identity or 1x1 <c>downsample</c> shortcut.</summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    public BasicBlock(long inplanes, long planes, long stride, Sequential? downsampleModule) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        downsample = downsampleModule;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = bn2.call(conv2.call(h));
        var identity = downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(nn.functional.relu(h + identity));
    }
}
