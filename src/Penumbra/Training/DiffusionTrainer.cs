using Penumbra.IO;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Training;

/// <summary>
/// Trains a UNet2DConditionModel with the ε-prediction loss of DDPM (Ho et al. 2020, Eq. 14):
/// t ~ U{0..T−1}, ε ~ N(0, I), x_t = √ᾱ_t x0 + √(1−ᾱ_t) ε (the scheduler's <c>AddNoise</c>), loss = ‖ε − ε_θ(x_t, t, c)‖².
/// Text conditioning comes from a frozen encoder function. Deterministic per (seed, step) and resumable from
/// checkpoints (UNet weights as safetensors, AdamW state, step counter).
/// </summary>
public sealed class DiffusionTrainer
{
    private const string WeightsFile = "unet.safetensors";
    private const string OptimizerFile = "optimizer.bin";
    private const string StepFile = "step.txt";
    private const string EmaFile = "ema.safetensors";

    private readonly UNet2DConditionModel _unet;
    private readonly IScheduler _noise;
    private readonly Func<IReadOnlyList<string>, Tensor> _encode;
    private readonly DiffusionTrainingOptions _options;

    public DiffusionTrainer(UNet2DConditionModel unet, SchedulerConfig noiseSchedule, Func<IReadOnlyList<string>, Tensor> encodeCaptions,
        DiffusionTrainingOptions options)
    {
        _unet = unet;
        _noise = SchedulerFactory.Create("ddpm", noiseSchedule);
        _encode = encodeCaptions;
        _options = options;
        if (options.Steps < 1 || options.BatchSize < 1) throw new ArgumentException("steps and batch size must be at least 1");
    }

    /// <summary>Runs (or resumes) training; <paramref name="sampleBatch"/>(step, generator) must be a pure function of
    /// its arguments. Returns the loss of every step run in this call.</summary>
    public List<double> Train(Func<int, Generator, TrainingBatch> sampleBatch, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        var o = _options;
        _unet.train();
        using var optimizer = optim.AdamW(_unet.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        using var ema = o.EmaDecay is { } decay ? new ExponentialMovingAverage(_unet, decay) : null;
        int start = TryResume(optimizer, ema);
        int trainSteps = (int)_noise.Config.NumTrainTimesteps;
        var losses = new List<double>();
        for (int step = start; step < o.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)(o.Seed * 1_000_003L + step));
            using var batch = sampleBatch(step, generator);
            long n = batch.Samples.shape[0];
            var captions = batch.Captions.Select(c => generator_uniform(generator) < o.CaptionDropout ? "" : c).ToList();
            Tensor context;
            using (no_grad()) context = _encode(captions);
            var t = randint(0, trainSteps, new[] { n }, ScalarType.Int64, generator: generator);
            var eps = randn(batch.Samples.shape, batch.Samples.dtype, generator: generator);
            var xt = _noise.AddNoise(batch.Samples, eps, t);
            var pred = _unet.call(xt, t, context);
            var loss = nn.functional.mse_loss(pred, eps);
            double lr = LearningRateAt(step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(_unet.parameters(), o.MaxGradNorm);
            optimizer.step();
            ema?.Update(step);
            double value = loss.item<float>();
            losses.Add(value);
            progress?.Report(new TrainingStep(step + 1, o.Steps, value, lr));
            if (o.CheckpointDirectory is not null && ((step + 1) % o.CheckpointEvery == 0 || step + 1 == o.Steps))
                SaveCheckpoint(optimizer, ema, step + 1);
        }
        ema?.CopyTo();
        _unet.eval();
        return losses;
    }

    private static double generator_uniform(Generator g)
    {
        using var u = rand(new long[] { 1 }, generator: g);
        return u.item<float>();
    }

    /// <summary>Linear warm-up, then cosine decay from the base rate to 10% of it.</summary>
    public double LearningRateAt(int step)
    {
        var o = _options;
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        double progress = (double)(step - o.WarmupSteps) / Math.Max(1, o.Steps - o.WarmupSteps);
        return o.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    private int TryResume(TorchSharp.Modules.OptimizerHelper optimizer, ExponentialMovingAverage? ema)
    {
        var dir = _options.CheckpointDirectory;
        if (dir is null || !File.Exists(Path.Combine(dir, StepFile))) return 0;
        string stepText = File.ReadAllText(Path.Combine(dir, StepFile)).Trim();
        if (!int.TryParse(stepText, out int step) || step < 0)
            throw new CheckpointFormatException(Path.Combine(dir, StepFile), $"'{stepText}' is not a step number");
        using (var source = SafetensorsTensorSource.Open(Path.Combine(dir, WeightsFile))) StateDictLoader.Load(_unet, source);
        optimizer.load_state_dict(Path.Combine(dir, OptimizerFile));
        if (ema is not null)
        {
            string emaPath = Path.Combine(dir, EmaFile);
            if (!File.Exists(emaPath)) throw new CheckpointFormatException(emaPath, "the run uses an EMA of the weights but the checkpoint has none");
            using var source = SafetensorsTensorSource.Open(emaPath);
            using var scope = NewDisposeScope();
            ema.Load(source.Keys.ToDictionary(k => k, k => source.Load(k)));
        }
        return step;
    }

    private void SaveCheckpoint(TorchSharp.Modules.OptimizerHelper optimizer, ExponentialMovingAverage? ema, int step)
    {
        var dir = _options.CheckpointDirectory!;
        Directory.CreateDirectory(dir);
        SafetensorsWriter.Save(Path.Combine(dir, WeightsFile), _unet.state_dict());
        if (ema is not null) SafetensorsWriter.Save(Path.Combine(dir, EmaFile), ema.StateDict());
        string optTmp = Path.Combine(dir, OptimizerFile + ".tmp");
        optimizer.save_state_dict(optTmp);
        File.Move(optTmp, Path.Combine(dir, OptimizerFile), overwrite: true);
        // The step file is written last: a checkpoint without it (killed mid-write) is never resumed from.
        string stepTmp = Path.Combine(dir, StepFile + ".tmp");
        File.WriteAllText(stepTmp, step.ToString());
        File.Move(stepTmp, Path.Combine(dir, StepFile), overwrite: true);
    }
}
