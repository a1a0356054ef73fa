using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Pipelines.StableDiffusion;
using Penumbra.Schedulers;
using Penumbra.Tokenizers;
using static TorchSharp.torch;

namespace Penumbra.Checkpoints;

/// <summary>
/// A Stable Diffusion pipeline from a single file (<see cref="Load"/>), and the conversion of a single file to a diffusers
/// folder (<see cref="SaveAsDiffusers"/>). The file holds no tokenizer: one is given as a folder (SD 1's CLIP tokenizer;
/// SD 2 uses the same vocabulary and pads with <c>"!"</c>, which is set here).
/// </summary>
public static class SingleFilePipeline
{
    public const string OpenClipPadToken = "!";

    public static StableDiffusionPipeline Load(string path, string tokenizerFolder, SingleFileOptions? options = null,
        Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        using var checkpoint = SingleFileCheckpoint.Open(path, options);
        return Load(checkpoint, tokenizerFolder, device, dtype);
    }

    public static StableDiffusionPipeline Load(SingleFileCheckpoint checkpoint, string tokenizerFolder, Device? device = null,
        ScalarType dtype = ScalarType.Float32)
    {
        var tokenizer = ClipTokenizer.FromPretrained(tokenizerFolder,
            padToken: checkpoint.Configs.TextEncoderKind == LdmTextEncoderKind.OpenClip ? OpenClipPadToken : null);
        var dev = device ?? CPU;
        ClipTextModel? text = null;
        UNet2DConditionModel? unet = null;
        try
        {
            text = checkpoint.LoadTextEncoder(dev, dtype);
            unet = checkpoint.LoadUNet(dev, dtype);
            var vae = checkpoint.LoadVae(dev, dtype);
            return new StableDiffusionPipeline(tokenizer, text, unet, vae, checkpoint.Configs.Scheduler, dev, dtype,
                Path.GetFileNameWithoutExtension(checkpoint.Path));
        }
        catch
        {
            text?.Dispose();
            unet?.Dispose();
            throw;
        }
    }

    /// <summary>Writes a diffusers folder (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae/) with the
    /// weights in their stored dtype, after checking every component against its model.</summary>
    public static void SaveAsDiffusers(SingleFileCheckpoint checkpoint, string folder, string tokenizerFolder)
    {
        checkpoint.Validate();
        if (checkpoint.Vae is null || checkpoint.TextEncoder is null)
            throw new CheckpointFormatException(checkpoint.Path, "a pipeline folder needs the UNet, VAE and text encoder; the file lacks " +
                (checkpoint.Vae is null ? "the VAE" : "the text encoder"));
        Directory.CreateDirectory(folder);
        var c = checkpoint.Configs;
        ConfigJson.Save(Path.Combine(folder, "scheduler", SchedulerConfig.FileName), c.Scheduler);
        WriteWeights(checkpoint.UNet, Path.Combine(folder, "unet", UNet2DConditionModel.WeightsFileName));
        ConfigJson.Save(Path.Combine(folder, "unet", UNet2DConditionModel.ConfigFileName), c.UNet);
        WriteWeights(checkpoint.Vae, Path.Combine(folder, "vae", AutoencoderKL.WeightsFileName));
        ConfigJson.Save(Path.Combine(folder, "vae", AutoencoderKL.ConfigFileName), c.Vae!);
        WriteWeights(checkpoint.TextEncoder, Path.Combine(folder, "text_encoder", DiffusersWeights.TransformersBaseName + ".safetensors"));
        ConfigJson.Save(Path.Combine(folder, "text_encoder", CLIPConfig.FileName), c.TextEncoder! with { Architectures = new[] { "CLIPTextModel" } });
        CopyTokenizer(tokenizerFolder, Path.Combine(folder, "tokenizer"), c.TextEncoderKind == LdmTextEncoderKind.OpenClip ? OpenClipPadToken : null);
        File.WriteAllText(Path.Combine(folder, DiffusersPipelineIndex.FileName), ModelIndex(c.Scheduler.ClassName ?? PNDMScheduler.ClassName));
    }

    private static void WriteWeights(ITensorSource source, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tensors = source.Keys.ToDictionary(k => k, k => source.Load(k), StringComparer.Ordinal);
        try
        {
            SafetensorsWriter.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static void CopyTokenizer(string from, string to, string? padToken)
    {
        if (!Directory.Exists(from)) throw new DirectoryNotFoundException($"{from}: tokenizer folder not found");
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from))
            File.Copy(FileLinks.Resolve(f), Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        if (padToken is null) return;
        string map = Path.Combine(to, "special_tokens_map.json");
        var obj = File.Exists(map) ? JsonNode.Parse(File.ReadAllText(map))!.AsObject() : new JsonObject();
        obj["pad_token"] = padToken;
        File.WriteAllText(map, obj.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string ModelIndex(string schedulerClass) =>
        new JsonObject
        {
            ["_class_name"] = "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.25.0",
            ["feature_extractor"] = new JsonArray(null, null),
            ["requires_safety_checker"] = false,
            ["safety_checker"] = new JsonArray(null, null),
            ["scheduler"] = new JsonArray("diffusers", schedulerClass),
            ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
            ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"),
            ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
            ["vae"] = new JsonArray("diffusers", "AutoencoderKL"),
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
