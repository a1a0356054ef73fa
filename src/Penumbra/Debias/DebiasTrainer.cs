using Penumbra.IO;
using Penumbra.Models.Autoencoders;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Debias;

/// <summary>
/// Trains the adapters (and the special token's row) of an attached <see cref="BiasAdapterMixture"/> with the
/// ε-prediction loss (<see cref="EpsilonLoss"/>), the UNet, VAE and base text encoder frozen: their parameters are
/// set to <c>requires_grad = false</c> for the run and are not given to the optimizer. Each prompt trains the expert the
/// gate routes it to. AdamW, warm-up + cosine learning rate, gradient clipping and resumable checkpoints
/// (<see cref="TrainingCheckpoint"/>: adapters, optimizer state, step) as in <see cref="DiffusionTrainer"/>; captions
/// are never dropped (the empty prompt is routed to identity, so it would train nothing).
/// </summary>
public sealed class DebiasTrainer
{
    private const string WeightsFile = "adapters.safetensors";

    private readonly BiasAdapterAttachment _attached;
    private readonly UNet2DConditionModel _unet;
    private readonly AutoencoderKL? _vae;
    private readonly IScheduler _noise;
    private readonly DiffusionTrainingOptions _options;

    public DebiasTrainer(BiasAdapterAttachment attached, UNet2DConditionModel unet, AutoencoderKL? vae, SchedulerConfig noiseSchedule,
        DiffusionTrainingOptions options)
    {
        if (options.Steps < 1 || options.BatchSize < 1) throw new ArgumentException("steps and batch size must be at least 1");
        _attached = attached;
        _unet = unet;
        _vae = vae;
        _noise = SchedulerFactory.Create("ddpm", noiseSchedule);
        _options = options;
    }

    /// <summary>Runs (or resumes) training. <paramref name="sampleBatch"/>(step, generator) gives images in [-1, 1] (VAE
    /// models: encoded here with the VAE's mean × scaling factor) and must be a pure function of its arguments.
    /// Returns the loss of every step run in this call.</summary>
    public List<double> Train(Func<int, Generator, TrainingBatch> sampleBatch, IProgress<TrainingStep>? progress = null,
        CancellationToken cancellation = default)
    {
        var o = _options;
        var mixture = _attached.Mixture;
        var trainable = mixture.TrainableParameters().ToList();
        if (trainable.Count == 0) throw new InvalidOperationException("the adapters have no trainable parameters");
        var frozen = Frozen().ToList();
        var wasTrainable = frozen.Select(p => p.requires_grad).ToList();
        foreach (var p in frozen) p.requires_grad = false;
        bool wasEnabled = _attached.Enabled;
        _attached.Enabled = true;
        try
        {
            mixture.train();
            using var optimizer = optim.AdamW(trainable, o.LearningRate, weight_decay: o.WeightDecay);
            var checkpoint = o.CheckpointDirectory is null ? null : TrainingCheckpoint.Of(mixture, o.CheckpointDirectory, WeightsFile);
            int start = checkpoint?.TryResume(optimizer) ?? 0;
            var losses = new List<double>();
            for (int step = start; step < o.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var generator = new Generator((ulong)(o.Seed * 1_000_003L + step));
                using var batch = sampleBatch(step, generator);
                var samples = ToModelSpace(batch.Samples);
                var context = _attached.Encode(batch.Captions);
                var loss = EpsilonLoss.Compute(_unet, _noise, samples, context, generator);
                double lr = EpsilonLoss.LearningRateAt(o, step);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                optimizer.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(trainable, o.MaxGradNorm);
                OptimizerStep.Run(optimizer);
                double value = loss.item<float>();
                losses.Add(value);
                progress?.Report(new TrainingStep(step + 1, o.Steps, value, lr));
                if (checkpoint is not null && ((step + 1) % o.CheckpointEvery == 0 || step + 1 == o.Steps))
                    checkpoint.Save(optimizer, step + 1);
            }
            return losses;
        }
        finally
        {
            mixture.eval();
            _attached.Enabled = wasEnabled;
            for (int i = 0; i < frozen.Count; i++) frozen[i].requires_grad = wasTrainable[i];
        }
    }

    /// <summary>Parameters of the frozen models: UNet, VAE and base text encoder.</summary>
    private IEnumerable<TorchSharp.Modules.Parameter> Frozen() =>
        _unet.parameters().Concat(_vae?.parameters() ?? Enumerable.Empty<TorchSharp.Modules.Parameter>()).Concat(_attached.EncoderParameters());

    private Tensor ToModelSpace(Tensor images)
    {
        var device = _unet.parameters().First().device;
        var dtype = _unet.parameters().First().dtype;
        var x = images.to(dtype).to(device);
        if (_vae is null) return x;
        using var noGrad = no_grad();
        using var posterior = _vae.Encode(x);
        return posterior.Mode() * _vae.Config.ScalingFactor;
    }
}
