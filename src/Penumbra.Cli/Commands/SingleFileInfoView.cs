using System.Globalization;
using Penumbra.Checkpoints;
using Penumbra.IO;
using Spectre.Console;

namespace Penumbra.Cli.Commands;

/// <summary>What <c>penumbra info</c> adds for an original-layout single file: family, where the architecture came from,
/// the derived configs, per-component tensors / parameters / dtypes, EMA, ignored keys and notes. An unsupported file
/// (SDXL, inpainting, ...) is shown with the reason instead of failing the whole command.</summary>
public static class SingleFileInfoView
{
    public static object? Json(string path)
    {
        if (!SingleFileCheckpoint.IsSingleFile(path)) return null;
        try
        {
            using var c = SingleFileCheckpoint.Open(path);
            return new
            {
                family = c.Configs.TextEncoderKind == LdmTextEncoderKind.Clip ? "sd1" : "sd2",
                config_source = c.Configs.Source,
                prediction_type = c.Configs.Scheduler.PredictionType,
                stored_dtype = c.StoredDType.ToString(),
                uses_ema = c.Layout.UsesEma,
                ignored_keys = c.Layout.Ignored.Count,
                notes = c.Notes,
                components = c.Components.Select(s => new { name = s.Component, tensors = s.Keys.Count(), parameters = Parameters(s), unmapped = s.Unmapped }).ToList(),
                unet = new
                {
                    block_out_channels = c.Configs.UNet.BlockOutChannels, layers_per_block = c.Configs.UNet.LayersPerBlock.ToString(),
                    attention_head_dim = c.Configs.UNet.AttentionHeadDim.ToString(), cross_attention_dim = c.Configs.UNet.CrossAttentionDim.ToString(),
                    use_linear_projection = c.Configs.UNet.UseLinearProjection, sample_size = c.Configs.UNet.SampleSize,
                },
                text_encoder = c.Configs.TextEncoder is { } t ? new { hidden_size = t.HiddenSize, layers = t.NumHiddenLayers, heads = t.NumAttentionHeads } : null,
            };
        }
        catch (CheckpointFormatException e)
        {
            return new { error = e.Reason };
        }
    }

    public static void Render(IAnsiConsole console, string path)
    {
        if (!SingleFileCheckpoint.IsSingleFile(path)) return;
        SingleFileCheckpoint c;
        try
        {
            c = SingleFileCheckpoint.Open(path);
        }
        catch (CheckpointFormatException e)
        {
            console.MarkupLine($"[yellow]single file not loadable:[/] {Markup.Escape(e.Reason)}");
            return;
        }
        using (c)
        {
            console.MarkupLine(Markup.Escape($"single file: {ConvertCommand.Describe(c)}"));
            var table = new Table().AddColumns("component", "diffusers tensors", "parameters", "config");
            var u = c.Configs.UNet;
            table.AddRow("unet", N(c.UNet.Keys.Count()), N(Parameters(c.UNet)), Markup.Escape(
                $"channels [{string.Join(",", u.BlockOutChannels)}], {u.LayersPerBlock} layers, heads {u.AttentionHeadDim}, cross {u.CrossAttentionDim}, sample {u.SampleSize}"));
            if (c.Vae is { } v) table.AddRow("vae", N(v.Keys.Count()), N(Parameters(v)), Markup.Escape($"channels [{string.Join(",", c.Configs.Vae!.BlockOutChannels)}], latent {c.Configs.Vae.LatentChannels}"));
            if (c.TextEncoder is { } t) table.AddRow("text_encoder", N(t.Keys.Count()), N(Parameters(t)),
                Markup.Escape($"{c.Configs.TextEncoder!.NumHiddenLayers} layers × {c.Configs.TextEncoder.HiddenSize}, {c.Configs.TextEncoder.HiddenAct}"));
            console.Write(table);
            console.MarkupLine(Markup.Escape($"ignored keys: {c.Layout.Ignored.Count}{(c.Layout.UsesEma ? "; UNet from the EMA weights" : "")}"));
            foreach (var n in c.Notes) console.MarkupLine(Markup.Escape($"note: {n}"));
        }
    }

    private static long Parameters(ConvertedTensorSource s) => s.Keys.Sum(k => s.Shape(k).Aggregate(1L, (a, b) => a * b));

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
