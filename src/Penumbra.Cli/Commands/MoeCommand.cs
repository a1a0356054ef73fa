using System.CommandLine;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra moe</c>: SegMoE mixtures of diffusion experts.</summary>
public static class MoeCommand
{
    public static Command Create() => new("moe", "SegMoE: merge Stable Diffusion fine-tunes into a mixture of experts without training")
    {
        MoeBuildCommand.Create(),
    };
}
