using System.Text.RegularExpressions;
using Penumbra.Configs;
using Penumbra.IO;

namespace Penumbra.MoE;

/// <summary>
/// A description of a SegMoE folder read from its configs and safetensors headers only (no weights loaded): the experts,
/// the number of MoE layers (gate matrices), top-k, and the parameter count against the single model the MoE replaces
/// (the same UNet with one expert per converted module and no gates). Pipeline counts add the text encoder(s) and VAE.
/// </summary>
public sealed record SegMoeSummary
{
    public required string Folder { get; init; }
    public required SegMoeConfig Config { get; init; }
    public int NumExperts => Config.ExpertCount;
    public int TopK => Config.NumExpertsPerTok;
    public string MoeLayers => Config.MoeLayers;

    /// <summary>Converted modules (keys <c>….gate.weight</c>).</summary>
    public required int MoeLayerCount { get; init; }

    public required long UnetParameters { get; init; }

    /// <summary>Parameters of one plain UNet of the same architecture.</summary>
    public required long SingleUnetParameters { get; init; }

    public double UnetRatio => (double)UnetParameters / SingleUnetParameters;

    /// <summary>UNet + the other weight components present (text encoder(s), VAE), or null when none is found.</summary>
    public long? PipelineParameters { get; init; }

    public long? SinglePipelineParameters { get; init; }

    public double? PipelineRatio => PipelineParameters is long p && SinglePipelineParameters is long s ? (double)p / s : null;

    private static readonly Regex ExpertKey = new(@"^(.+)\.experts\.(\d+)\.", RegexOptions.Compiled);
    private static readonly string[] OtherComponents = { "text_encoder", "text_encoder_2", "vae" };

    /// <summary>Describes a SegMoE pipeline folder or its <c>unet/</c> folder.</summary>
    public static SegMoeSummary Describe(string folder)
    {
        string configPath = SegMoeFolder.UnetConfigPath(folder);
        var unetConfig = ConfigJson.LoadObject(configPath);
        if (unetConfig[SegMoeConfig.JsonKey] is not { } node)
            throw new CheckpointFormatException(configPath, $"no {SegMoeConfig.JsonKey}: not a SegMoE model");
        var config = SegMoeConfig.FromJson(System.Text.Json.JsonSerializer.SerializeToElement(node), configPath);

        long total = 0, duplicate = 0;
        var gates = new HashSet<string>(StringComparer.Ordinal);
        using (var source = DiffusersWeights.Open(SegMoeModel.UnetFolder(folder)))
            foreach (var key in source.Keys)
            {
                long n = source.Info(key).ElementCount;
                total += n;
                if (key.EndsWith(".gate.weight", StringComparison.Ordinal))
                {
                    gates.Add(key[..^".gate.weight".Length]);
                    duplicate += n;
                }
                else if (ExpertKey.Match(key) is { Success: true } m && m.Groups[2].Value != "0")
                    duplicate += n;
            }

        long? others = null;
        string pipelineFolder = SegMoeModel.UnetFolder(folder) == folder ? Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd('/'))! : folder;
        foreach (var component in OtherComponents)
        {
            string dir = Path.Combine(pipelineFolder, component);
            if (!Directory.Exists(dir)) continue;
            using var source = DiffusersWeights.Open(dir);
            others = (others ?? 0) + source.Keys.Sum(k => source.Info(k).ElementCount);
        }
        return new SegMoeSummary
        {
            Folder = folder,
            Config = config,
            MoeLayerCount = gates.Count,
            UnetParameters = total,
            SingleUnetParameters = total - duplicate,
            PipelineParameters = others is null ? null : total + others,
            SinglePipelineParameters = others is null ? null : total - duplicate + others,
        };
    }
}
