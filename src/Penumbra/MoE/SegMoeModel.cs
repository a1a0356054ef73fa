using System.Text.Json;
using Penumbra.Configs;
using Penumbra.IO;
using Penumbra.Models.Common;
using Penumbra.Models.Unets;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.MoE;

/// <summary>
/// A SegMoE UNet: a <see cref="UNet2DConditionModel"/> whose chosen modules are <see cref="SparseMoeBlock"/>s, with the
/// <see cref="SegMoeConfig"/> it was built from and one <see cref="MoeRouting"/> shared by all its blocks. The UNet is used
/// as any UNet (pipelines, taps); routing changes go through <see cref="Routing"/>.
/// Loading (spec §5): <c>segmoe_config</c> from <c>unet/config.json</c>, the UNet built from that config, the same modules
/// converted with placeholder experts, then a strict load of the one safetensors file (F16 files are upcast).
/// </summary>
public sealed class SegMoeModel : IDisposable
{
    private readonly Dictionary<string, SparseMoeBlock> _blocks;

    private SegMoeModel(UNet2DConditionModel unet, SegMoeConfig config, MoeRouting routing, IEnumerable<(MoeSlot Slot, SparseMoeBlock Block)> blocks)
    {
        Unet = unet;
        Config = config;
        Routing = routing;
        var list = blocks.ToList();
        Slots = list.Select(b => b.Slot).ToArray();
        _blocks = list.ToDictionary(b => b.Slot.Path, b => b.Block, StringComparer.Ordinal);
    }

    public UNet2DConditionModel Unet { get; }

    /// <summary>The SegMoE config (block ranges and <c>num_experts</c> set).</summary>
    public SegMoeConfig Config { get; }

    /// <summary>Routing settings shared by every block of this model.</summary>
    public MoeRouting Routing { get; }

    /// <summary>The converted modules in segmoe's order (down blocks first; per transformer block ff, attn1 q/k/v, attn2 q/k/v).</summary>
    public IReadOnlyList<MoeSlot> Slots { get; }

    /// <summary>The mixture at each converted path.</summary>
    public IReadOnlyDictionary<string, SparseMoeBlock> Blocks => _blocks;

    public int NumExperts => Config.ExpertCount;

    /// <summary>Sets every block's <c>num_experts_per_tok</c>.</summary>
    public int TopK
    {
        get => Config.NumExpertsPerTok;
        set
        {
            foreach (var b in _blocks.Values) b.TopK = value;
        }
    }

    /// <summary>
    /// Converts <paramref name="unet"/> in place: every module of <paramref name="config"/>'s layout becomes a mixture of
    /// <c>num_experts</c> copies of itself (placeholders until <see cref="SparseMoeBlock.SetExpert"/> or a weight load).
    /// The config gets segmoe's block ranges for this UNet when it has none.
    /// </summary>
    public static SegMoeModel Convert(UNet2DConditionModel unet, SegMoeConfig config)
    {
        if (config.DownIdxStart is null || config.UpIdxStart is null)
            config = config.ForUnet(unet.Config.DownBlockTypes.Length, unet.Config.UpBlockTypes.Length);
        var routing = new MoeRouting();
        var blocks = new List<(MoeSlot, SparseMoeBlock)>();
        foreach (var slot in SegMoeLayout.Slots(unet, config))
        {
            var old = ModulePaths.Find(unet, slot.Path);
            var (inFeatures, outFeatures) = ExpertModules.Features(old);
            var experts = Enumerable.Range(0, config.ExpertCount).Select(_ => ExpertModules.Copy(old, unet.Config.Dropout)).ToList();
            var block = new SparseMoeBlock(inFeatures, outFeatures, experts, config.NumExpertsPerTok, slot.Path) { Routing = routing };
            var p = old.parameters().First();
            block.Gate.to(p.dtype).to(p.device);
            if (old.training) block.train(); else block.eval();
            ModuleReplacer.Replace(unet, slot.Path, block);
            old.Dispose();
            blocks.Add((slot, block));
        }
        return new SegMoeModel(unet, config, routing, blocks);
    }

    /// <summary>Whether <paramref name="folder"/> (a pipeline folder or its <c>unet/</c>) holds a SegMoE UNet.</summary>
    public static bool IsSegMoe(string folder)
    {
        string config = Path.Combine(UnetFolder(folder), UNet2DConditionModel.ConfigFileName);
        if (!File.Exists(config)) return false;
        return ConfigJson.LoadObject(config).ContainsKey(SegMoeConfig.JsonKey);
    }

    /// <summary>The UNet folder of a pipeline folder (its <c>unet/</c>), or the folder itself.</summary>
    public static string UnetFolder(string folder) =>
        File.Exists(Path.Combine(folder, "unet", UNet2DConditionModel.ConfigFileName)) ? Path.Combine(folder, "unet") : folder;

    /// <summary>Loads a SegMoE UNet from a pipeline folder or its <c>unet/</c> folder (strict keys, F16 upcast to
    /// <paramref name="dtype"/>, default float32 on CPU), in eval mode.</summary>
    public static SegMoeModel FromPretrained(string folder, Device? device = null, ScalarType? dtype = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        string unetDir = UnetFolder(folder);
        string configPath = Path.Combine(unetDir, UNet2DConditionModel.ConfigFileName);
        var unetConfig = ConfigJson.Load<UNet2DConditionConfig>(configPath);
        if (unetConfig.Extra is null || !unetConfig.Extra.TryGetValue(SegMoeConfig.JsonKey, out var stored))
            throw new CheckpointFormatException(configPath, $"no {SegMoeConfig.JsonKey}: not a SegMoE model");
        var config = SegMoeConfig.FromJson(stored, configPath);
        string weights = DiffusersWeights.Resolve(unetDir);

        UNet2DConditionModel unet;
        SegMoeModel model;
        try
        {
            unet = new UNet2DConditionModel(unetConfig);
            model = Convert(unet, config);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(configPath, e.Message, e);
        }
        try
        {
            if (dtype is not null) unet.to(dtype.Value);
            if (device is not null) unet.to(device);
            using (var source = SafetensorsTensorSource.Open(weights)) StateDictLoader.Load(unet, source);
            unet.eval();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Writes <c>config.json</c> (the UNet config with <c>segmoe_config</c>) and all weights as one safetensors file
    /// into <paramref name="unetFolder"/>.</summary>
    public void SavePretrained(string unetFolder) =>
        DiffusersFolder.Save(Unet, UnetConfigWithSegMoe(), unetFolder, UNet2DConditionModel.ConfigFileName, UNet2DConditionModel.WeightsFileName);

    /// <summary>The UNet config with this model's <c>segmoe_config</c>.</summary>
    public UNet2DConditionConfig UnetConfigWithSegMoe()
    {
        var extra = new Dictionary<string, JsonElement>(Unet.Config.Extra ?? new(), StringComparer.Ordinal)
        {
            [SegMoeConfig.JsonKey] = Config.ToJson(),
        };
        return Unet.Config with { Extra = extra };
    }

    public void Dispose() => Unet.Dispose();
}
