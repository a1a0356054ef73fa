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
        var checkpoint = o.CheckpointDirectory is null ? null : TrainingCheckpoint.Of(_unet, o.CheckpointDirectory, WeightsFile);
        if (checkpoint is not null && ema is not null) checkpoint.With(EmaFile, ema.StateDict, ema.Load);
        int start = checkpoint?.TryResume(optimizer) ?? 0;
        var losses = new List<double>();
        for (int step = start; step < o.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)(o.Seed * 1_000_003L + step));
            using var batch = sampleBatch(step, generator);
            var captions = batch.Captions.Select(c => generator_uniform(generator) < o.CaptionDropout ? "" : c).ToList();
            Tensor context;
            using (no_grad()) context = _encode(captions);
            var loss = EpsilonLoss.Compute(_unet, _noise, batch.Samples, context, generator);
            double lr = LearningRateAt(step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            optimizer.zero_grad();
            loss.backward();
            // The total norm is non-finite iff some gradient is; throwing before step() leaves the weights untouched.
            double norm = nn.utils.clip_grad_norm_(_unet.parameters(), o.MaxGradNorm);
            if (!double.IsFinite(norm))
                throw new TrainingDivergedException(step + 1, loss.item<float>(), checkpoint?.Folder);
            OptimizerStep.Run(optimizer);
            ema?.Update(step);
            double value = loss.item<float>();
            losses.Add(value);
            progress?.Report(new TrainingStep(step + 1, o.Steps, value, lr));
            if (checkpoint is not null && ((step + 1) % o.CheckpointEvery == 0 || step + 1 == o.Steps))
                checkpoint.Save(optimizer, step + 1);
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
    public double LearningRateAt(int step) => EpsilonLoss.LearningRateAt(_options, step);
}
