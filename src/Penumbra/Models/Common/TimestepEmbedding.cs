using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>diffusers' <c>TimestepEmbedding</c> (<c>time_embedding</c>): <c>linear_1</c>, <c>act</c>, <c>linear_2</c>,
/// optional <c>post_act</c>.</summary>
public sealed class TimestepEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear_1;
    private readonly nn.Module<Tensor, Tensor> act;
    private readonly Linear linear_2;
    private readonly nn.Module<Tensor, Tensor>? post_act;

    public TimestepEmbedding(long inChannels, long timeEmbedDim, string actFn = "silu", string? postActFn = null)
        : base(nameof(TimestepEmbedding))
    {
        linear_1 = nn.Linear(inChannels, timeEmbedDim);
        act = Activations.Create(actFn);
        linear_2 = nn.Linear(timeEmbedDim, timeEmbedDim);
        post_act = postActFn is null ? null : Activations.Create(postActFn, "timestep_post_act");
        RegisterComponents();
    }

    public override Tensor forward(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var h = linear_2.call(act.call(linear_1.call(sample)));
        if (post_act is not null) h = post_act.call(h);
        return scope.MoveToOuter(h);
    }
}
