using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Unets;

namespace Penumbra.MoE;

/// <summary>
/// The folder segmoe's <c>save_pretrained</c> writes (spec §5): the base's <c>model_index.json</c> with a
/// <c>DDPMScheduler</c>, <c>scheduler/</c> (DDPM made from the base's scheduler config, as diffusers' <c>from_config</c>),
/// the base's other components (<c>text_encoder/</c>, <c>tokenizer/</c>, <c>vae/</c>, ...) copied, and <c>unet/</c> with
/// <c>segmoe_config</c> in <c>config.json</c> and every UNet weight in one safetensors file.
/// </summary>
public static class SegMoeFolder
{
    public const string SchedulerClassName = "DDPMScheduler";
    public const string SchedulerFolder = "scheduler";
    public const string UnetFolder = "unet";

    /// <summary>diffusers 0.25 <c>DDPMScheduler.__init__</c> defaults.</summary>
    private static readonly (string Key, JsonNode? Value)[] DdpmDefaults =
    {
        ("num_train_timesteps", 1000), ("beta_start", 0.0001), ("beta_end", 0.02), ("beta_schedule", "linear"),
        ("trained_betas", null), ("variance_type", "fixed_small"), ("clip_sample", true), ("prediction_type", "epsilon"),
        ("thresholding", false), ("dynamic_thresholding_ratio", 0.995), ("clip_sample_range", 1.0), ("sample_max_value", 1.0),
        ("timestep_spacing", "leading"), ("steps_offset", 0), ("rescale_betas_zero_snr", false),
    };

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>What <c>DDPMScheduler.from_config(config).save_config</c> writes: the DDPM keys (from the config, else
    /// DDPM's defaults), the config's other keys kept as hidden entries, <c>_class_name</c> DDPMScheduler, keys sorted.</summary>
    public static JsonObject DdpmSchedulerConfig(JsonObject source)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in source) result[key] = value?.DeepClone();
        foreach (var (key, value) in DdpmDefaults)
            if (!result.ContainsKey(key)) result[key] = value?.DeepClone();
        result["_class_name"] = SchedulerClassName;
        return new JsonObject(result.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    /// <summary>Writes <paramref name="model"/> with the base pipeline's other components into <paramref name="outFolder"/>.</summary>
    public static void Save(SegMoeModel model, string baseFolder, string outFolder)
    {
        string basePath = Path.GetFullPath(baseFolder), outPath = Path.GetFullPath(outFolder);
        if (string.Equals(basePath.TrimEnd('/'), outPath.TrimEnd('/'), StringComparison.Ordinal))
            throw new ArgumentException($"{outFolder}: the output folder is the base model's folder");
        string indexPath = Path.Combine(baseFolder, DiffusersPipelineIndex.FileName);
        var index = ConfigJson.LoadObject(indexPath);
        Directory.CreateDirectory(outFolder);

        foreach (var (name, spec) in index.ToList())
        {
            if (name.StartsWith('_') || name is SchedulerFolder or UnetFolder) continue;
            if (spec is not JsonArray { Count: 2 } pair || pair[1] is null) continue;
            string from = Path.Combine(baseFolder, name);
            if (!Directory.Exists(from)) throw new DirectoryNotFoundException($"{from}: component '{name}' of {indexPath} not found");
            CopyFolder(from, Path.Combine(outFolder, name));
        }

        var schedulerSource = ConfigJson.LoadObject(Path.Combine(baseFolder, SchedulerFolder, "scheduler_config.json"));
        WriteJson(Path.Combine(outFolder, SchedulerFolder, "scheduler_config.json"), DdpmSchedulerConfig(schedulerSource));

        index["scheduler"] = new JsonArray("diffusers", SchedulerClassName);
        index["_name_or_path"] = model.Config.BaseModel;
        WriteJson(Path.Combine(outFolder, DiffusersPipelineIndex.FileName),
            new JsonObject(index.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))));

        model.SavePretrained(Path.Combine(outFolder, UnetFolder));
    }

    /// <summary>Copies a folder's files (link-text files as their targets' content).</summary>
    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            // Stream copy: a fresh writable file even when the source is read-only.
            using var source = File.OpenRead(FileLinks.Resolve(file));
            using var target = File.Create(Path.Combine(to, Path.GetFileName(file)));
            source.CopyTo(target);
        }
        foreach (var dir in Directory.EnumerateDirectories(from))
            CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static void WriteJson(string path, JsonObject json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, json.ToJsonString(Indented) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The UNet config file of a SegMoE folder.</summary>
    public static string UnetConfigPath(string folder) => Path.Combine(SegMoeModel.UnetFolder(folder), UNet2DConditionModel.ConfigFileName);
}
