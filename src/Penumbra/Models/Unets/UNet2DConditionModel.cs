using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Penumbra.Models.Unets;

/// <summary>
/// diffusers' <c>UNet2DConditionModel</c> (SD 1.x / 2.x): <c>conv_in</c>, <c>time_proj</c> + <c>time_embedding</c>,
/// <c>down_blocks</c>, <c>mid_block</c>, <c>up_blocks</c>, <c>conv_norm_out</c>, <c>conv_act</c>, <c>conv_out</c>, built
/// from a <see cref="UNet2DConditionConfig"/>; module names are the diffusers state-dict keys.
/// <c>forward(sample [B,C,H,W], timestep, encoder_hidden_states [B,T,D])</c> returns the predicted noise (or v).
/// The timestep is a 0-d tensor, a [1] tensor (both broadcast to the batch) or one per sample [B].
/// Submodule outputs can be observed or replaced with <see cref="ModuleTaps"/>; <see cref="ForwardToMidBlock"/>
/// stops after the mid block.
/// </summary>
public sealed class UNet2DConditionModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "diffusion_pytorch_model.safetensors";

    private readonly Conv2d conv_in;
    private readonly Timesteps time_proj;
    private readonly TimestepEmbedding time_embedding;
    private readonly nn.Module<Tensor, Tensor>? time_embed_act;
    private readonly ModuleList<UNetDownBlock> down_blocks;
    private readonly UNetMidBlock? mid_block;
    private readonly ModuleList<UNetUpBlock> up_blocks;
    private readonly GroupNorm conv_norm_out;
    private readonly nn.Module<Tensor, Tensor> conv_act;
    private readonly Conv2d conv_out;

    public UNet2DConditionConfig Config { get; }

    public UNet2DConditionModel(UNet2DConditionConfig config) : base(nameof(UNet2DConditionModel))
    {
        config.Validate();
        Config = config;
        var boc = config.BlockOutChannels.Select(c => (long)c).ToArray();
        int n = boc.Length;
        long groups = config.NormNumGroups!.Value;
        var layers = config.LayersPerBlock.Expand(n);
        var transformerLayers = config.TransformerLayersPerBlock.Expand(n);
        var crossDims = config.CrossAttentionDim.Expand(n);
        var heads = Enumerable.Range(0, n).Select(config.HeadsFor).ToArray();

        conv_in = nn.Conv2d(config.InChannels, boc[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2);
        long tembDim = config.TimeEmbeddingDim ?? boc[0] * 4;
        time_proj = new Timesteps(boc[0], config.FlipSinToCos, config.FreqShift);
        time_embedding = new TimestepEmbedding(boc[0], tembDim, config.ActFn, config.TimestepPostAct);
        time_embed_act = config.TimeEmbeddingActFn is null ? null : Activations.Create(config.TimeEmbeddingActFn, "time_embedding_act_fn");

        var common = new UNetBlockSpec
        {
            NumLayers = 0, InChannels = 0, OutChannels = 0, TembChannels = tembDim, AddSampler = false,
            Eps = config.NormEps, ActFn = config.ActFn, Groups = groups, DownsamplePadding = config.DownsamplePadding,
            UseLinearProjection = config.UseLinearProjection, UpcastAttention = config.UpcastAttention, Dropout = config.Dropout,
        };
        var down = new List<UNetDownBlock>();
        for (int i = 0; i < n; i++)
            down.Add(UNetBlocks.CreateDown($"down_block_types[{i}]", config.DownBlockTypes[i], common with
            {
                NumLayers = layers[i], TransformerLayers = transformerLayers[i], InChannels = i == 0 ? boc[0] : boc[i - 1],
                OutChannels = boc[i], AddSampler = i < n - 1, CrossAttentionDim = crossDims[i], Heads = heads[i],
            }));
        down_blocks = nn.ModuleList(down.ToArray());

        mid_block = UNetBlocks.CreateMid(config.MidBlockType, common with
        {
            InChannels = boc[^1], OutChannels = boc[^1], TransformerLayers = transformerLayers[^1], CrossAttentionDim = crossDims[^1],
            Heads = heads[^1], OutputScaleFactor = config.MidBlockScaleFactor,
        });

        var up = new List<UNetUpBlock>();
        long output = boc[n - 1];
        for (int i = 0; i < n; i++)
        {
            int r = n - 1 - i;
            long prev = output;
            output = boc[r];
            up.Add(UNetBlocks.CreateUp($"up_block_types[{i}]", config.UpBlockTypes[i], common with
            {
                NumLayers = layers[r] + 1, TransformerLayers = transformerLayers[r], InChannels = boc[Math.Max(r - 1, 0)],
                OutChannels = output, PrevOutputChannels = prev, AddSampler = i < n - 1, CrossAttentionDim = crossDims[r], Heads = heads[r],
            }));
        }
        up_blocks = nn.ModuleList(up.ToArray());

        conv_norm_out = GroupNorms.Create(groups, boc[0], config.NormEps);
        conv_act = Activations.Create(config.ActFn);
        conv_out = nn.Conv2d(boc[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates) =>
        Run(sample, timestep, encoderHiddenStates, upRows: -1, keepMid: false).Output!;

    /// <summary>Runs conv_in, the time embedding, the down blocks and the mid block, and returns the mid block's output
    /// (after any tap on <c>mid_block</c>) without running the up blocks.</summary>
    public Tensor ForwardToMidBlock(Tensor sample, Tensor timestep, Tensor encoderHiddenStates) =>
        Run(sample, timestep, encoderHiddenStates, upRows: 0, keepMid: true).Mid!;

    /// <summary>One pass in which every row runs up to the mid block and only the first <paramref name="fullRows"/> rows go
    /// on through the up blocks: returns their output and the mid-block output of every row. EMoE's path rows ride along
    /// with a generation step this way (the rows are independent, so each result equals its own pass).</summary>
    public (Tensor Output, Tensor MidBlock) ForwardWithMidBlock(Tensor sample, Tensor timestep, Tensor encoderHiddenStates, long fullRows)
    {
        if (fullRows < 1 || fullRows > sample.shape[0])
            throw new ArgumentOutOfRangeException(nameof(fullRows), fullRows, $"must be 1..{sample.shape[0]} (the batch)");
        var (output, mid) = Run(sample, timestep, encoderHiddenStates, fullRows, keepMid: true);
        return (output!, mid!);
    }

    /// <summary>A forward pass with one timestep for the whole batch.</summary>
    public Tensor Forward(Tensor sample, double timestep, Tensor encoderHiddenStates)
    {
        using var t = tensor(timestep, ScalarType.Float64, sample.device);
        return call(sample, t, encoderHiddenStates);
    }

    /// <summary>The forward pass; the first <paramref name="upRows"/> rows (-1: all) continue after the mid block.</summary>
    private (Tensor? Output, Tensor? Mid) Run(Tensor sample, Tensor timestep, Tensor encoderHiddenStates, long upRows, bool keepMid)
    {
        bool stopAfterMidBlock = upRows == 0;
        if (sample.dim() != 4) throw new ArgumentException($"sample must be [B, C, H, W], got [{string.Join(",", sample.shape)}]");
        if (stopAfterMidBlock && mid_block is null) throw new InvalidOperationException("this UNet has no mid block (mid_block_type is null)");
        using var scope = NewDisposeScope();
        long batch = sample.shape[0];
        long factor = 1L << (up_blocks.Count - 1);
        bool forwardUpsampleSize = sample.shape[^2] % factor != 0 || sample.shape[^1] % factor != 0;

        var t = timestep.to(sample.device);
        if (t.dim() == 0) t = t.unsqueeze(0);
        if (t.dim() != 1 || (t.shape[0] != 1 && t.shape[0] != batch))
            throw new ArgumentException($"timestep must be a scalar, [1] or [{batch}], got [{string.Join(",", timestep.shape)}]");
        t = t.expand(batch);
        var emb = time_embedding.call(time_proj.call(t).to(sample.dtype));
        if (time_embed_act is not null) emb = time_embed_act.call(emb);

        var h = Config.CenterInputSample ? 2 * sample - 1.0 : sample;
        h = conv_in.call(h);
        var residuals = new List<Tensor> { h };
        foreach (var block in down_blocks)
        {
            (h, var res) = block.call(h, emb, encoderHiddenStates);
            residuals.AddRange(res);
        }
        if (mid_block is not null) h = mid_block.call(h, emb, encoderHiddenStates);
        Tensor? mid = keepMid ? h.MoveToOuterDisposeScope() : null;
        if (stopAfterMidBlock) return (null, mid);
        if (upRows > 0 && upRows < batch)
        {
            h = h.narrow(0, 0, upRows);
            for (int r = 0; r < residuals.Count; r++) residuals[r] = residuals[r].narrow(0, 0, upRows);
            emb = emb.narrow(0, 0, upRows);
            if (encoderHiddenStates.shape[0] == batch) encoderHiddenStates = encoderHiddenStates.narrow(0, 0, upRows);
        }

        for (int i = 0; i < up_blocks.Count; i++)
        {
            var block = up_blocks[i];
            int take = block.ResnetCount;
            var res = residuals.GetRange(residuals.Count - take, take).ToArray();
            residuals.RemoveRange(residuals.Count - take, take);
            long[]? upsampleSize = i < up_blocks.Count - 1 && forwardUpsampleSize ? residuals[^1].shape[2..] : null;
            h = block.call(h, res, emb, encoderHiddenStates, upsampleSize);
        }
        h = conv_out.call(conv_act.call(conv_norm_out.call(h)));
        return (scope.MoveToOuter(h), mid);
    }

    /// <summary>Loads <c>config.json</c> and <c>diffusion_pytorch_model.safetensors</c> (or its sharded index) from a
    /// diffusers model folder with strict key checking; the model is moved to <paramref name="device"/> /
    /// <paramref name="dtype"/> (default CPU / float32) and put in eval mode. <paramref name="beforeLoad"/> runs on the
    /// freshly built model before the weights are loaded (replace submodules there, e.g. SegMoE's experts).</summary>
    public static UNet2DConditionModel FromPretrained(string folder, Device? device = null, ScalarType? dtype = null,
        Action<UNet2DConditionModel>? beforeLoad = null) =>
        DiffusersFolder.Load(folder, ConfigFileName,
            (UNet2DConditionConfig c) => new UNet2DConditionModel(c), device, dtype, beforeLoad);

    /// <summary>Writes <c>config.json</c> (unknown keys of the loaded config included) and the weights as one
    /// safetensors file.</summary>
    public void SavePretrained(string folder) => DiffusersFolder.Save(this, Config, folder, ConfigFileName, WeightsFileName);
}
