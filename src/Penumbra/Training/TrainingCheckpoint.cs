using Penumbra.IO;
using TorchSharp;

namespace Penumbra.Training;

/// <summary>
/// A resumable checkpoint folder: the trained module's weights (safetensors), the optimizer state and the step counter.
/// The step file is written last, so a checkpoint killed mid-write is never resumed from.
/// </summary>
public sealed class TrainingCheckpoint
{
    public const string OptimizerFile = "optimizer.bin";
    public const string StepFile = "step.txt";

    /// <summary>The checkpoint folder.</summary>
    public string Folder => _directory;

    private readonly string _directory;
    private readonly string _weightsFile;
    private readonly Func<IReadOnlyDictionary<string, torch.Tensor>> _weights;
    private readonly Action<ITensorSource> _load;
    private readonly List<(string File, Func<IReadOnlyDictionary<string, torch.Tensor>> Weights, Action<ITensorSource> Load)> _extras = new();

    /// <param name="weights">The tensors to save (e.g. a module's state dict).</param>
    /// <param name="load">Loads them back (strictly) from a checkpoint.</param>
    public TrainingCheckpoint(string directory, string weightsFile, Func<IReadOnlyDictionary<string, torch.Tensor>> weights, Action<ITensorSource> load)
    {
        _directory = directory;
        _weightsFile = weightsFile;
        _weights = weights;
        _load = load;
    }

    /// <summary>A checkpoint of one module's whole state dict.</summary>
    public static TrainingCheckpoint Of(torch.nn.Module module, string directory, string weightsFile) =>
        new(directory, weightsFile, () => module.state_dict(), source => StateDictLoader.Load(module, source));

    /// <summary>Adds another tensor file to the checkpoint (e.g. the EMA of the weights), saved before the step file and
    /// required on resume.</summary>
    public TrainingCheckpoint With(string file, Func<IReadOnlyDictionary<string, torch.Tensor>> weights, Action<ITensorSource> load)
    {
        _extras.Add((file, weights, load));
        return this;
    }

    /// <summary>Restores weights and optimizer state when the folder holds a checkpoint; returns its step (0: none).</summary>
    public int TryResume(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        string stepPath = Path.Combine(_directory, StepFile);
        if (!File.Exists(stepPath)) return 0;
        string stepText = File.ReadAllText(stepPath).Trim();
        if (!int.TryParse(stepText, out int step) || step < 0)
            throw new CheckpointFormatException(stepPath, $"'{stepText}' is not a step number");
        using (var source = SafetensorsTensorSource.Open(Path.Combine(_directory, _weightsFile))) _load(source);
        optimizer.load_state_dict(Path.Combine(_directory, OptimizerFile));
        foreach (var (file, _, load) in _extras)
        {
            string path = Path.Combine(_directory, file);
            if (!File.Exists(path)) throw new CheckpointFormatException(path, "the checkpoint at this step lacks this file, which the run needs");
            using var source = SafetensorsTensorSource.Open(path);
            load(source);
        }
        return step;
    }

    public void Save(TorchSharp.Modules.OptimizerHelper optimizer, int step)
    {
        Directory.CreateDirectory(_directory);
        SafetensorsWriter.Save(Path.Combine(_directory, _weightsFile), _weights());
        foreach (var (file, weights, _) in _extras) SafetensorsWriter.Save(Path.Combine(_directory, file), weights());
        string optTmp = Path.Combine(_directory, OptimizerFile + ".tmp");
        optimizer.save_state_dict(optTmp);
        File.Move(optTmp, Path.Combine(_directory, OptimizerFile), overwrite: true);
        string stepTmp = Path.Combine(_directory, StepFile + ".tmp");
        File.WriteAllText(stepTmp, step.ToString());
        File.Move(stepTmp, Path.Combine(_directory, StepFile), overwrite: true);
    }
}
