using Penumbra.IO;

namespace Penumbra.Checkpoints;

/// <summary>
/// Which keys of a single file belong to which component (without the component prefix → key stored in the file),
/// which are ignored, and why. <see cref="Detect"/> refuses what is not an SD 1.x / 2.x text-to-image file with one
/// clear error: SDXL, inpainting and other UNet variants, files without the LDM prefixes (naming the prefixes expected
/// and those found), EMA-only files.
/// </summary>
public sealed record SingleFileLayout(
    LdmTextEncoderKind? TextEncoderKind,
    IReadOnlyDictionary<string, string> UNet,
    IReadOnlyDictionary<string, string> Vae,
    IReadOnlyDictionary<string, string> TextEncoder,
    IReadOnlyList<string> Ignored,
    IReadOnlyList<string> Notes,
    bool UsesEma)
{
    /// <summary>At least this many <c>model_ema.*</c> keys make a file "with EMA weights" (diffusers' threshold).</summary>
    public const int EmaThreshold = 100;

    /// <summary>Metadata key written by <see cref="DiffusersToSingleFile"/> into SD 2 files: the number of OpenCLIP layers the
    /// text encoder uses (such files have no unused last layer, so the usual "all but the last" rule would drop one).</summary>
    public const string TextLayersMetadata = "penumbra_text_encoder_layers";

    public static SingleFileLayout Detect(ITensorSource file, bool extractEma, int? openClipLayers = null)
    {
        string path = file.Description;
        var keys = file.Keys.ToList();
        if (keys.Any(k => k.StartsWith(LdmPrefixes.SdxlConditioner, StringComparison.Ordinal)) || file.Contains(LdmPrefixes.UNet + "label_emb.0.0.weight"))
            throw new CheckpointFormatException(path, "this is an SDXL (or other class-conditioned) single file (conditioner.embedders.* / label_emb): SDXL is not supported yet; only SD 1.x and 2.x text-to-image files are");
        var unetKeys = keys.Where(k => k.StartsWith(LdmPrefixes.UNet, StringComparison.Ordinal)).ToList();
        var emaKeys = keys.Where(k => k.StartsWith(LdmPrefixes.Ema, StringComparison.Ordinal)).ToList();
        if (unetKeys.Count == 0)
        {
            if (emaKeys.Count > EmaThreshold)
                throw new CheckpointFormatException(path, $"the file has only EMA UNet weights ({emaKeys.Count} model_ema.* keys) and no {LdmPrefixes.UNet}* keys; diffusers' converter cannot read such files either: export the EMA weights under {LdmPrefixes.UNet}");
            throw new CheckpointFormatException(path, "not an original (LDM) Stable Diffusion single file: expected keys starting with "
                + $"'{LdmPrefixes.UNet}' (UNet), '{LdmPrefixes.Vae}' (VAE) and '{LdmPrefixes.Clip}' or '{LdmPrefixes.OpenClip}' (text encoder); found "
                + Summary(keys) + (keys.Contains("conv_in.weight") || keys.Any(k => k.StartsWith("down_blocks.", StringComparison.Ordinal))
                    ? " (this looks like a diffusers UNet weight file: put it in a unet/ folder with its config.json)" : ""));
        }
        string convIn = LdmPrefixes.UNet + "input_blocks.0.0.weight";
        if (!file.Contains(convIn))
            throw new CheckpointFormatException(path, $"UNet: expected tensor '{convIn}' is missing (found {unetKeys.Count} {LdmPrefixes.UNet}* keys, e.g. {string.Join(", ", unetKeys.Take(3))})");
        long inChannels = file.Shape(convIn) is { Length: 4 } s ? s[1] : -1;
        if (inChannels == 9)
            throw new CheckpointFormatException(path, "this is an inpainting checkpoint (UNet input has 9 channels: latents + mask + masked image): inpainting files are not supported yet");
        if (inChannels != 4)
            throw new CheckpointFormatException(path, $"UNet input has {inChannels} channels (text-to-image SD has 4; 8 is instruct-pix2pix): not supported yet");

        var notes = new List<string>();
        var ignored = new List<string>();
        bool useEma = false;
        var unet = new Dictionary<string, string>(StringComparer.Ordinal);
        if (emaKeys.Count > EmaThreshold && extractEma)
        {
            var missing = new List<string>();
            foreach (var k in unetKeys)
            {
                string logical = k[LdmPrefixes.UNet.Length..], ema = LdmPrefixes.EmaKey(logical);
                if (file.Contains(ema)) unet[logical] = ema;
                else missing.Add(ema);
            }
            if (missing.Count > 0)
                throw new CheckpointFormatException(path, $"EMA weights requested but {missing.Count} UNet tensor(s) have no EMA copy, e.g. '{missing[0]}'");
            useEma = true;
            notes.Add($"the file has EMA and non-EMA UNet weights: using the EMA weights (model_ema.*)");
            ignored.AddRange(unetKeys);
            ignored.AddRange(emaKeys.Where(k => !unet.ContainsValue(k)));
        }
        else
        {
            foreach (var k in unetKeys) unet[k[LdmPrefixes.UNet.Length..]] = k;
            if (emaKeys.Count > EmaThreshold)
                notes.Add($"the file has EMA and non-EMA UNet weights: using the non-EMA weights, as diffusers does (ask for the EMA weights with extract-EMA)");
            ignored.AddRange(emaKeys);
        }

        var vae = Strip(keys, LdmPrefixes.Vae);
        var clip = Strip(keys.Where(k => k != LdmPrefixes.ClipPositionIds), LdmPrefixes.Clip);
        var openClip = Strip(keys, LdmPrefixes.OpenClip);
        if (clip.Count > 0 && openClip.Count > 0)
            throw new CheckpointFormatException(path, $"the file has both a CLIP ({LdmPrefixes.Clip}*) and an OpenCLIP ({LdmPrefixes.OpenClip}*) text encoder");
        LdmTextEncoderKind? kind = clip.Count > 0 ? LdmTextEncoderKind.Clip : openClip.Count > 0 ? LdmTextEncoderKind.OpenClip : null;
        var text = kind == LdmTextEncoderKind.OpenClip ? OpenClipWithoutExtras(openClip, ignored, openClipLayers) : clip;
        if (file.Contains(LdmPrefixes.ClipPositionIds)) ignored.Add(LdmPrefixes.ClipPositionIds);

        var known = new HashSet<string>(unet.Values.Concat(vae.Values).Concat(text.Values).Concat(ignored), StringComparer.Ordinal);
        var other = keys.Where(k => !known.Contains(k)).ToList();
        var schedule = other.Where(k => LdmPrefixes.ScheduleBuffers.Contains(k)).ToList();
        ignored.AddRange(other);
        if (schedule.Count > 0) notes.Add($"ignored {schedule.Count} training schedule buffer(s) ({string.Join(", ", schedule.Take(3))}{(schedule.Count > 3 ? ", …" : "")})");
        var unknown = other.Except(schedule).Where(k => !k.StartsWith(LdmPrefixes.UNet, StringComparison.Ordinal)).ToList();
        if (unknown.Count > 0) notes.Add($"ignored {unknown.Count} key(s) outside the UNet, VAE and text encoder, e.g. {string.Join(", ", unknown.Take(3))}");
        if (vae.Count == 0) notes.Add($"no VAE ({LdmPrefixes.Vae}*) in the file");
        if (kind is null) notes.Add($"no text encoder ({LdmPrefixes.Clip}* or {LdmPrefixes.OpenClip}*) in the file");
        return new SingleFileLayout(kind, unet, vae, text, ignored, notes, useEma);
    }

    /// <summary>OpenCLIP keys diffusers drops: the last resblock (SD 2 conditions on the penultimate layer),
    /// <c>text_projection</c>, <c>logit_scale</c> and the <c>attn_mask</c> buffer.</summary>
    private static Dictionary<string, string> OpenClipWithoutExtras(Dictionary<string, string> keys, List<string> ignored, int? layers)
    {
        int used = layers ?? LdmArchitecture.Indices(keys.Keys, "transformer.resblocks").DefaultIfEmpty(0).Max();
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, stored) in keys)
            if (k is "text_projection" or "logit_scale" or "attn_mask"
                || (k.StartsWith("transformer.resblocks.", StringComparison.Ordinal) && BlockIndex(k) >= used)) ignored.Add(stored);
            else kept[k] = stored;
        return kept;
    }

    private static int BlockIndex(string key) =>
        int.TryParse(key.Split('.')[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i) ? i : -1;

    private static Dictionary<string, string> Strip(IEnumerable<string> keys, string prefix) =>
        keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(k => k[prefix.Length..], k => k, StringComparer.Ordinal);

    /// <summary>"N keys: prefix (count), ..." over the first two segments, for the unrecognised-layout error.</summary>
    private static string Summary(IReadOnlyCollection<string> keys) =>
        $"{keys.Count} key(s) under " + string.Join(", ", keys.GroupBy(k => string.Join('.', k.Split('.').Take(2)) + (k.Count(c => c == '.') >= 2 ? ".*" : ""))
            .OrderByDescending(g => g.Count()).Take(8).Select(g => $"'{g.Key}' ({g.Count()})")) + (keys.Count == 0 ? "nothing" : "");
}
