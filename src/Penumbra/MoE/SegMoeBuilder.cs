using System.Text.Json.Nodes;
using Penumbra.Checkpoints;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// Builds a SegMoE model from a <see cref="SegMoeConfig"/> without training (spec §1-3): the base's UNet with every module
/// of the layout replaced by a mixture whose expert e is the module at the same path in expert e's UNet, and whose gate row
/// e is the L2-normalised token mean of that module's input on the conditional row of the last UNet call of expert e's
/// own pipeline run (positive prompt, negative prompt, 25 steps, a DDPM scheduler made from the expert's scheduler config,
/// guidance 7.5, the default image size; the CPU generator seeded with <c>seed</c> right before each run, random without).
/// Experts are loaded one at a time, so the peak memory is one expert pipeline plus the MoE.
/// </summary>
public static class SegMoeBuilder
{
    /// <summary>Builds the model (in eval mode).</summary>
    public static SegMoeModel Build(SegMoeConfig config, SegMoeBuildOptions? options = null)
    {
        options ??= new SegMoeBuildOptions();
        string source = config.SourcePath ?? "SegMoE config";
        string baseFolder = config.ResolvePath(config.BaseModel);
        var baseConfig = LoadUnetConfig(baseFolder, source, "base_model");
        var experts = config.Experts.Select((e, i) => config.ResolvePath(e.SourceModel)).ToList();
        for (int i = 0; i < experts.Count; i++)
        {
            string field = $"experts[{i}].source_model";
            if (File.Exists(experts[i]))
            {
                CheckSingleFileExpert(experts[i], baseFolder, source, field);
                continue;
            }
            var expertConfig = LoadUnetConfig(experts[i], source, field);
            if (Difference(baseConfig, expertConfig) is { } diff)
                throw new CheckpointFormatException(source, $"{field}: {experts[i]}: the UNet architecture differs from the base's ({diff})");
            if (config.HiddenInit)
                foreach (var part in new[] { "tokenizer", "text_encoder", "scheduler" })
                    if (!Directory.Exists(Path.Combine(experts[i], part)))
                        throw new CheckpointFormatException(source, $"{field}: {experts[i]} has no {part}/ folder (the gate run needs the expert's whole pipeline)");
        }

        var unet = UNet2DConditionModel.FromPretrained(Path.Combine(baseFolder, "unet"), options.Device, options.DType);
        var model = SegMoeModel.Convert(unet, config);
        try
        {
            var gateRows = model.Blocks.Keys.ToDictionary(p => p, _ => new List<Tensor>(), StringComparer.Ordinal);
            for (int e = 0; e < experts.Count; e++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                Report(options, e, experts, "load", 0);
                if (File.Exists(experts[e]))
                {
                    // A single-file expert: read with the base's configs and tokenizer (same architecture, checked above).
                    var singleFile = new SingleFileOptions { ConfigFolder = baseFolder };
                    if (config.HiddenInit)
                    {
                        using var pipe = SingleFilePipeline.Load(experts[e], Path.Combine(baseFolder, "tokenizer"), singleFile, options.Device, options.DType);
                        RunGates(pipe, config, config.Experts[e], gateRows, options, e, experts);
                        CopyExperts(pipe.Unet, model, e);
                    }
                    else
                    {
                        using var checkpoint = SingleFileCheckpoint.Open(experts[e], singleFile);
                        using var expertUnet = checkpoint.LoadUNet(options.Device, options.DType);
                        CopyExperts(expertUnet, model, e);
                    }
                }
                else if (config.HiddenInit)
                {
                    using var pipe = StableDiffusionPipeline.FromPretrained(experts[e], options.Device, options.DType);
                    RunGates(pipe, config, config.Experts[e], gateRows, options, e, experts);
                    CopyExperts(pipe.Unet, model, e);
                }
                else
                {
                    using var expertUnet = UNet2DConditionModel.FromPretrained(Path.Combine(experts[e], "unet"), options.Device, options.DType);
                    CopyExperts(expertUnet, model, e);
                }
                Report(options, e, experts, "done", options.Steps);
            }
            if (config.HiddenInit)
                foreach (var (path, rows) in gateRows)
                {
                    using var scope = NewDisposeScope();
                    model.Blocks[path].SetGate(stack(rows, 0));
                    foreach (var r in rows) r.Dispose();
                }
            model.Unet.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Builds the model and writes the segmind folder layout (<see cref="SegMoeFolder"/>) to <paramref name="outFolder"/>.</summary>
    public static SegMoeModel BuildAndSave(SegMoeConfig config, string outFolder, SegMoeBuildOptions? options = null)
    {
        var model = Build(config, options);
        try
        {
            SegMoeFolder.Save(model, config.ResolvePath(config.BaseModel), outFolder);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void RunGates(StableDiffusionPipeline pipe, SegMoeConfig config, SegMoeExpert expert,
        Dictionary<string, List<Tensor>> gateRows, SegMoeBuildOptions options, int e, IReadOnlyList<string> experts)
    {
        using var recorder = new GateActivationRecorder(pipe.Unet, gateRows.Keys);
        var scheduler = SchedulerFactory.Create(DDPMScheduler.ClassName, pipe.SchedulerConfig);
        pipe.Generate(new GenerationOptions
        {
            Prompts = new[] { expert.PositivePrompt },
            NegativePrompts = new[] { expert.NegativePrompt },
            Steps = options.Steps,
            GuidanceScale = options.GuidanceScale,
            Height = options.Height,
            Width = options.Width,
            Seed = config.Seed,
            Decode = false,
            OnStep = s => Report(options, e, experts, "gates", s.Step + 1),
            CancellationToken = options.CancellationToken,
        }, scheduler);
        recorder.RemoveHooks();
        foreach (var (path, rows) in gateRows) rows.Add(recorder.GateVector(path).DetachFromDisposeScope());
    }

    private static void CopyExperts(UNet2DConditionModel expertUnet, SegMoeModel model, int e)
    {
        foreach (var (path, block) in model.Blocks)
            ExpertModules.CopyWeights(ModulePaths.Find(expertUnet, path), block.Expert(e));
    }

    private static void Report(SegMoeBuildOptions o, int e, IReadOnlyList<string> experts, string stage, int step) =>
        o.Progress?.Report(new SegMoeBuildProgress(e, experts.Count, experts[e], stage, step, o.Steps));

    /// <summary>An expert given as an original-layout single file must hold a UNet of the base's architecture.</summary>
    private static void CheckSingleFileExpert(string file, string baseFolder, string source, string field)
    {
        try
        {
            using var checkpoint = SingleFileCheckpoint.Open(file, new SingleFileOptions { ConfigFolder = baseFolder });
            checkpoint.Validate();
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(source, $"{field}: {e.Message} (a single-file expert must have the base model's architecture)", e);
        }
    }

    private static UNet2DConditionConfig LoadUnetConfig(string folder, string source, string field)
    {
        if (!Directory.Exists(folder))
            throw new CheckpointFormatException(source, $"{field}: {folder} is not a folder (only local diffusers pipeline folders are supported, and single .safetensors files for experts)");
        string path = Path.Combine(folder, "unet", UNet2DConditionModel.ConfigFileName);
        if (!File.Exists(path)) throw new CheckpointFormatException(source, $"{field}: {folder} has no unet/config.json (not a diffusers pipeline folder)");
        return ConfigJson.Load<UNet2DConditionConfig>(path);
    }

    /// <summary>The first config key (other than metadata, <c>sample_size</c> and unknown keys) whose value differs, as
    /// "key: expert value vs base value", or null.</summary>
    private static string? Difference(UNet2DConditionConfig baseConfig, UNet2DConditionConfig expert)
    {
        JsonObject Normal(UNet2DConditionConfig c) =>
            JsonNode.Parse(ConfigJson.Serialize(c with { Extra = null, SampleSize = null, DiffusersVersion = "", ClassName = "" }))!.AsObject();
        var a = Normal(baseConfig);
        var b = Normal(expert);
        foreach (var (key, value) in a)
            if (!JsonNode.DeepEquals(value, b[key]))
                return $"{key}: {b[key]?.ToJsonString() ?? "null"} vs {value?.ToJsonString() ?? "null"}";
        return null;
    }
}
