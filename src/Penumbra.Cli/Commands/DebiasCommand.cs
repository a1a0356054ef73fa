using System.CommandLine;
using Penumbra.MoE;
using Penumbra.Pipelines.StableDiffusion;

namespace Penumbra.Cli.Commands;

/// <summary><c>penumbra debias</c>: MoESD bias adapters in the text encoder (train, evaluate).</summary>
public static class DebiasCommand
{
    public static Command Create() => new("debias", "MoESD bias adapters: a gate and adapter experts in the text encoder that balance an attribute")
    {
        DebiasTrainCommand.Create(),
        DebiasEvalCommand.Create(),
    };

    /// <summary>A diffusers or SegMoE pipeline folder (the bundled toy model when null).</summary>
    internal static StableDiffusionPipeline LoadPipeline(string? model, out string path)
    {
        path = ModelLocator.Resolve(model);
        return SegMoeModel.IsSegMoe(path) ? SegMoePipeline.FromPretrained(path).Pipeline : StableDiffusionPipeline.FromPretrained(path);
    }
}
