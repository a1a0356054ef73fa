using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Penumbra.Configs;
using Penumbra.IO;

namespace Penumbra.Schedulers;

/// <summary>
/// <c>scheduler_config.json</c>: the union of the keys diffusers 0.25's DDIM, PNDM, Euler, Euler ancestral,
/// DPM-Solver multistep, LMS, Heun and DDPM schedulers read. Keys whose default differs between classes
/// (<c>beta_start</c>, <c>beta_end</c>, <c>timestep_spacing</c>, <c>clip_sample</c>, <c>set_alpha_to_one</c>,
/// <c>variance_type</c>) are null when the file does not set them, and each scheduler fills in its own class default,
/// as <c>from_config</c> does. Unknown keys (and keys of classes not listed) are kept in <see cref="Extra"/>.
/// </summary>
public sealed record SchedulerConfig
{
    public const string FileName = "scheduler_config.json";

    [JsonPropertyName("_class_name")] public string? ClassName { get; init; }

    public int NumTrainTimesteps { get; init; } = 1000;
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BetaStart { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? BetaEnd { get; init; }
    public string BetaSchedule { get; init; } = "linear";
    public double[]? TrainedBetas { get; init; }
    public string PredictionType { get; init; } = "epsilon";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TimestepSpacing { get; init; }
    public int StepsOffset { get; init; }
    public bool RescaleBetasZeroSnr { get; init; }

    // DDIM / DDPM / PNDM / Heun
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? SetAlphaToOne { get; init; }
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double SampleMaxValue { get; init; } = 1.0;
    public bool SkipPrkSteps { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? VarianceType { get; init; }

    // Euler family, LMS, Heun, DPM-Solver
    public bool? UseKarrasSigmas { get; init; } = false;
    public double? SigmaMin { get; init; }
    public double? SigmaMax { get; init; }
    public string InterpolationType { get; init; } = "linear";
    public string TimestepType { get; init; } = "discrete";

    // DPM-Solver multistep
    public int SolverOrder { get; init; } = 2;
    public string AlgorithmType { get; init; } = "dpmsolver++";
    public string SolverType { get; init; } = "midpoint";
    public bool LowerOrderFinal { get; init; } = true;
    public bool EulerAtFinal { get; init; }
    public bool? UseLuLambdas { get; init; } = false;
    [JsonConverter(typeof(PythonFloatConverter))] public double LambdaMinClipped { get; init; } = double.NegativeInfinity;

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Reads <c>scheduler_config.json</c> (a file, or a folder holding it).</summary>
    public static SchedulerConfig Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        var obj = ConfigJson.LoadObject(path);
        try
        {
            return FromJsonObject(obj);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CheckpointFormatException(path, $"invalid scheduler config: {e.Message}", e);
        }
    }

    /// <summary>Parses a config given as JSON text (Python's NaN / Infinity accepted).</summary>
    public static SchedulerConfig Parse(string json) =>
        FromJsonObject(JsonNode.Parse(ConfigJson.NormalizePythonJson(json))?.AsObject()
                       ?? throw new JsonException("scheduler config is not a JSON object"));

    /// <summary>
    /// Keys named in an in-memory config's <c>_use_default_values</c> were never set by the user: diffusers drops them
    /// before building a class, so that class's own defaults apply. The same happens here.
    /// </summary>
    public static SchedulerConfig FromJsonObject(JsonObject obj)
    {
        var copy = JsonNode.Parse(obj.ToJsonString())!.AsObject();
        if (copy["_use_default_values"] is JsonArray defaults)
        {
            foreach (var key in defaults.Select(d => d?.GetValue<string>()).OfType<string>().ToList()) copy.Remove(key);
            copy.Remove("_use_default_values");
        }
        return copy.Deserialize<SchedulerConfig>(ConfigJson.Options) ?? throw new JsonException("scheduler config is null");
    }

    public void Save(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        ConfigJson.Save(path, this);
    }
}
