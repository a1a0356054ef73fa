using Penumbra.Configs;
using Penumbra.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Models.Common;

/// <summary>Loading and saving of a diffusers model folder (<c>config.json</c> + <c>diffusion_pytorch_model.safetensors</c>),
/// shared by the UNet and the VAE: the config is read into its record, the model is built from it, then the weights are
/// loaded strictly with <see cref="StateDictLoader"/>. <c>beforeLoad</c> may reshape the freshly built model first (e.g.
/// put SegMoE's mixtures of experts in place of projections with <see cref="ModuleReplacer"/>), so that the strict load
/// checks the checkpoint against the final layout.</summary>
public static class DiffusersFolder
{
    public static TModel Load<TConfig, TModel>(string folder, string configFile,
        Func<TConfig, TModel> build, Device? device, ScalarType? dtype, Action<TModel>? beforeLoad = null) where TModel : nn.Module
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: model folder not found");
        string configPath = Path.Combine(folder, configFile);
        var config = ConfigJson.Load<TConfig>(configPath);
        string weights = DiffusersWeights.Resolve(folder); // plain or sharded safetensors; clear error for pickles

        TModel model;
        try
        {
            model = build(config);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(configPath, e.Message, e);
        }
        beforeLoad?.Invoke(model);
        if (dtype is not null) model.to(dtype.Value);
        if (device is not null) model.to(device);
        using (var source = SafetensorsTensorSource.Open(weights)) StateDictLoader.Load(model, source);
        model.eval();
        return model;
    }

    public static void Save<TConfig>(nn.Module model, TConfig config, string folder, string configFile, string weightsFile)
    {
        Directory.CreateDirectory(folder);
        ConfigJson.Save(Path.Combine(folder, configFile), config);
        SafetensorsWriter.Save(Path.Combine(folder, weightsFile), model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
    }
}
