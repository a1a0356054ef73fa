using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using static TorchSharp.torch;

namespace Penumbra.Checkpoints;

/// <summary>
/// The reverse conversion: diffusers components → one original-layout file (<c>model.diffusion_model.*</c>,
/// <c>first_stage_model.*</c>, <c>cond_stage_model.transformer.*</c> or, for a GELU text encoder (SD 2),
/// <c>cond_stage_model.model.*</c>), with the same key tables as the forward direction and the tensors in their stored
/// dtype. OpenCLIP's unused last layer, <c>text_projection</c> and <c>logit_scale</c> have no diffusers source and are
/// not written; the number of text layers is recorded in the metadata so the file reads back with all of them.
/// </summary>
public static class DiffusersToSingleFile
{
    public sealed record Component(string Prefix, LdmKeyTable Table, ITensorSource Source);

    /// <summary>The original-layout tensors of the components (keys with prefixes), in their stored dtype.</summary>
    public static Dictionary<string, Tensor> Convert(IEnumerable<Component> components)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var c in components)
            {
                var groups = new Dictionary<string, (LdmOriginalMatch Match, Tensor?[] Parts)>(StringComparer.Ordinal);
                foreach (var key in c.Source.Keys.Order(StringComparer.Ordinal))
                {
                    var match = c.Table.ToOriginal(key)
                        ?? throw new CheckpointFormatException(c.Source.Description, $"tensor '{key}' has no place in the original layout");
                    if (!groups.TryGetValue(match.Original, out var g)) groups[match.Original] = g = (match, new Tensor?[match.Parts]);
                    var t = c.Source.Load(key);
                    g.Parts[match.Part] = match.Transform == LdmTensorTransform.ConvToLinear && t.dim() == 2 ? Reshaped(t) : t;
                }
                foreach (var (original, (match, parts)) in groups)
                {
                    if (parts.Any(p => p is null))
                        throw new CheckpointFormatException(c.Source.Description, $"'{c.Prefix}{original}' needs {parts.Length} tensors, some are missing");
                    if (parts.Length == 1) result[c.Prefix + original] = parts[0]!;
                    else
                    {
                        result[c.Prefix + original] = cat(parts!, 0);
                        foreach (var p in parts) p!.Dispose();
                    }
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Converts a diffusers Stable Diffusion folder (unet/, vae/, text_encoder/) to one file.</summary>
    public static void Save(string folder, string outFile)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        var sources = new List<SafetensorsTensorSource>();
        try
        {
            var components = new List<Component>();
            var metadata = new Dictionary<string, string> { ["format"] = "pt" };
            string unet = Path.Combine(folder, "unet");
            var unetConfig = ConfigJson.Load<UNet2DConditionConfig>(Path.Combine(unet, UNet2DConditionModel.ConfigFileName));
            components.Add(new Component(LdmPrefixes.UNet, LdmUNetKeys.Build(unetConfig), Open(unet, sources)));
            string vae = Path.Combine(folder, "vae");
            if (Directory.Exists(vae))
                components.Add(new Component(LdmPrefixes.Vae,
                    LdmVaeKeys.Build(ConfigJson.Load<AutoencoderKLConfig>(Path.Combine(vae, AutoencoderKL.ConfigFileName))), Open(vae, sources)));
            string text = Path.Combine(folder, "text_encoder");
            if (Directory.Exists(text))
            {
                var config = CLIPConfig.LoadText(Path.Combine(text, CLIPConfig.FileName));
                components.Add(TextComponent(config, Open(text, sources)));
                if (IsOpenClip(config)) metadata[SingleFileLayout.TextLayersMetadata] = config.NumHiddenLayers.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            var tensors = Convert(components);
            try
            {
                SafetensorsWriter.Save(outFile, tensors, metadata);
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
        finally
        {
            foreach (var s in sources) s.Dispose();
        }
    }

    /// <summary>SD 2's OpenCLIP text encoder is the one with GELU (SD 1's CLIP ViT-L uses quick_gelu).</summary>
    public static bool IsOpenClip(CLIPTextConfig config) => config.HiddenAct == "gelu";

    public static Component TextComponent(CLIPTextConfig config, ITensorSource source) =>
        IsOpenClip(config)
            ? new Component(LdmPrefixes.OpenClip, LdmTextKeys.OpenClip(config.NumHiddenLayers), source)
            : new Component(LdmPrefixes.Clip, LdmTextKeys.Clip(), source);

    private static SafetensorsTensorSource Open(string componentDir, List<SafetensorsTensorSource> opened)
    {
        var s = DiffusersWeights.Open(componentDir);
        opened.Add(s);
        return s;
    }

    private static Tensor Reshaped(Tensor t)
    {
        using (t) return t.reshape(t.shape[0], t.shape[1], 1, 1);
    }
}
