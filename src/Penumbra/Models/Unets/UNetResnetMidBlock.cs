using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>diffusers' <c>UNetMidBlock2D</c> as <c>UNet2DConditionModel</c> builds it for <c>mid_block_type:
/// "UNetMidBlock2D"</c> (<c>num_layers=0, add_attention=False</c>): one <c>resnets.0</c>, no attention, so the mid block
/// does not read the text.</summary>
public sealed class UNetResnetMidBlock : UNetMidBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;

    public UNetResnetMidBlock(long inChannels, long tembChannels, long groups, double eps, string actFn, double dropout = 0.0,
        double outputScaleFactor = 1.0) : base("UNetMidBlock2D")
    {
        resnets = nn.ModuleList(new ResnetBlock2D(inChannels, inChannels, tembChannels, groups, eps, actFn, dropout, outputScaleFactor));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hiddenStates, Tensor temb, Tensor? encoderHiddenStates) => resnets[0].call(hiddenStates, temb);
}
