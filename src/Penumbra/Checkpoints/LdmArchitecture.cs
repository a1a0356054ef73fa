using System.Globalization;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;

namespace Penumbra.Checkpoints;

/// <summary>
/// Infers the diffusers configs of a single file from its tensor shapes (keys without the component prefix), where
/// diffusers' <c>from_single_file</c> would fetch the original yaml of the model family (v1-inference.yaml for CLIP
/// files, v2-inference-v.yaml for OpenCLIP files) and the hub configs of the text encoder. Shapes give every size;
/// what they cannot give is taken from those family defaults: 8 heads (SD 1) or 64 channels per head (SD 2),
/// GroupNorm with 32 groups, ε-prediction at 512 px (SD 1) or v-prediction at 768 px (SD 2).
/// </summary>
public static class LdmArchitecture
{
    public const int HeadChannels = 64;
    public const int Sd1Heads = 8;

    public static UNet2DConditionConfig UNet(IReadOnlyDictionary<string, long[]> shapes, LdmTextEncoderKind kind, int imageSize, int vaeScale, string source)
    {
        long[] S(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new CheckpointFormatException(source, $"UNet: expected tensor '{LdmPrefixes.UNet}{key}' is missing");
        var convIn = S("input_blocks.0.0.weight");
        int modelChannels = (int)convIn[0], inChannels = (int)convIn[1];
        int maxInput = Indices(shapes.Keys, "input_blocks").DefaultIfEmpty(-1).Max();
        var ops = Indices(shapes.Keys, "input_blocks").Where(k => shapes.ContainsKey($"input_blocks.{k}.0.op.weight")).Order().ToList();
        int layers = ops.Count > 0 ? ops[0] - 1 : maxInput;
        if (layers < 1 || (maxInput + 1) % (layers + 1) != 0)
            throw new CheckpointFormatException(source, $"UNet: input_blocks 0..{maxInput} with the first downsampler at {(ops.Count > 0 ? ops[0] : -1)} is not an LDM UNet layout");
        int levels = (maxInput + 1) / (layers + 1);
        var channels = new int[levels];
        var down = new string[levels];
        var up = new string[levels];
        string? firstAttention = null;
        for (int i = 0; i < levels; i++)
        {
            string block = $"input_blocks.{(layers + 1) * i + 1}";
            channels[i] = (int)S($"{block}.0.out_layers.3.weight")[0];
            bool attention = shapes.ContainsKey($"{block}.1.proj_in.weight");
            firstAttention ??= attention ? block + ".1" : null;
            down[i] = attention ? "CrossAttnDownBlock2D" : "DownBlock2D";
            up[i] = shapes.ContainsKey($"output_blocks.{(layers + 1) * i}.1.proj_in.weight") ? "CrossAttnUpBlock2D" : "UpBlock2D";
        }
        if (firstAttention is null) throw new CheckpointFormatException(source, "UNet: no attention block (no input_blocks.*.1.proj_in.weight): not a text-conditioned SD UNet");
        int depth = Indices(shapes.Keys.Where(k => k.StartsWith(firstAttention + ".transformer_blocks.", StringComparison.Ordinal))
            .Select(k => k[(firstAttention.Length + 1)..]), "transformer_blocks").Max() + 1;
        int context = (int)S($"{firstAttention}.transformer_blocks.0.attn2.to_k.weight")[1];
        bool linear = S($"{firstAttention}.proj_in.weight").Length == 2;
        IntOrList heads = linear ? IntOrList.Of(channels.Select(c => c % HeadChannels == 0 ? c / HeadChannels : 1).ToArray()) : Sd1Heads;
        return new UNet2DConditionConfig
        {
            SampleSize = imageSize / vaeScale,
            InChannels = inChannels,
            OutChannels = (int)S("out.2.weight")[0],
            DownBlockTypes = down,
            UpBlockTypes = up,
            BlockOutChannels = channels,
            LayersPerBlock = layers,
            CrossAttentionDim = context,
            AttentionHeadDim = heads,
            UseLinearProjection = linear,
            TransformerLayersPerBlock = depth,
            UpcastAttention = kind == LdmTextEncoderKind.OpenClip,
            MidBlockType = shapes.ContainsKey("middle_block.1.proj_in.weight") ? "UNetMidBlock2DCrossAttn" : null,
        };
    }

    public static AutoencoderKLConfig Vae(IReadOnlyDictionary<string, long[]> shapes, int imageSize, double scalingFactor, string source)
    {
        long[] S(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new CheckpointFormatException(source, $"VAE: expected tensor '{LdmPrefixes.Vae}{key}' is missing");
        var convIn = S("encoder.conv_in.weight");
        int levels = Indices(shapes.Keys, "encoder.down").DefaultIfEmpty(-1).Max() + 1;
        int layers = Indices(shapes.Keys.Where(k => k.StartsWith("encoder.down.0.", StringComparison.Ordinal)).Select(k => k["encoder.down.0.".Length..]), "block")
            .DefaultIfEmpty(-1).Max() + 1;
        if (levels < 1 || layers < 1) throw new CheckpointFormatException(source, "VAE: no encoder.down.*.block.* tensors: not an LDM AutoencoderKL layout");
        return new AutoencoderKLConfig
        {
            InChannels = (int)convIn[1],
            OutChannels = (int)S("decoder.conv_out.weight")[0],
            DownBlockTypes = Enumerable.Repeat("DownEncoderBlock2D", levels).ToArray(),
            UpBlockTypes = Enumerable.Repeat("UpDecoderBlock2D", levels).ToArray(),
            BlockOutChannels = Enumerable.Range(0, levels).Select(i => (int)S($"encoder.down.{i}.block.{layers - 1}.conv2.weight")[0]).ToArray(),
            LayersPerBlock = layers,
            LatentChannels = (int)S("decoder.conv_in.weight")[1],
            SampleSize = imageSize,
            ScalingFactor = scalingFactor,
        };
    }

    /// <summary>The text encoder config (the shapes of the layers it uses: for OpenCLIP without the unused last
    /// resblock, see <see cref="SingleFileLayout"/>): sizes from the shapes, everything else as in the hub configs diffusers uses
    /// (openai/clip-vit-large-patch14 for CLIP, stabilityai/stable-diffusion-2 text_encoder for OpenCLIP).</summary>
    public static CLIPTextConfig TextEncoder(IReadOnlyDictionary<string, long[]> shapes, LdmTextEncoderKind kind, string source)
    {
        string prefix = kind == LdmTextEncoderKind.Clip ? LdmPrefixes.Clip : LdmPrefixes.OpenClip;
        long[] S(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new CheckpointFormatException(source, $"text encoder: expected tensor '{prefix}{key}' is missing");
        bool clip = kind == LdmTextEncoderKind.Clip;
        var tokens = S(clip ? "text_model.embeddings.token_embedding.weight" : "token_embedding.weight");
        long[] positions = S(clip ? "text_model.embeddings.position_embedding.weight" : "positional_embedding");
        int blocks = clip
            ? Indices(shapes.Keys, "text_model.encoder.layers").DefaultIfEmpty(-1).Max() + 1
            : Indices(shapes.Keys, "transformer.resblocks").DefaultIfEmpty(-1).Max() + 1;
        int layers = blocks;
        if (layers < 1) throw new CheckpointFormatException(source, $"text encoder: too few transformer layers under '{prefix}' ({blocks})");
        int hidden = (int)tokens[1];
        return new CLIPTextConfig
        {
            VocabSize = (int)tokens[0],
            HiddenSize = hidden,
            IntermediateSize = (int)S(clip ? "text_model.encoder.layers.0.mlp.fc1.weight" : "transformer.resblocks.0.mlp.c_fc.weight")[0],
            ProjectionDim = clip ? hidden : 512,
            NumHiddenLayers = layers,
            NumAttentionHeads = hidden % HeadChannels == 0 ? hidden / HeadChannels : 1,
            MaxPositionEmbeddings = (int)positions[0],
            HiddenAct = clip ? "quick_gelu" : "gelu",
            BosTokenId = 0,
            EosTokenId = 2,
            PadTokenId = 1,
        };
    }

    /// <summary>The distinct integer segments that follow <paramref name="prefix"/> in the keys.</summary>
    internal static IEnumerable<int> Indices(IEnumerable<string> keys, string prefix)
    {
        var found = new HashSet<int>();
        string p = prefix + ".";
        foreach (var k in keys)
        {
            if (!k.StartsWith(p, StringComparison.Ordinal)) continue;
            int end = k.IndexOf('.', p.Length);
            string segment = end < 0 ? k[p.Length..] : k[p.Length..end];
            if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out int i)) found.Add(i);
        }
        return found;
    }
}
