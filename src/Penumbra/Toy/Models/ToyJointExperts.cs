using Penumbra.Configs;
using Penumbra.Models.Attention;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.MoE;
using Penumbra.Schedulers;
using Penumbra.Training;
using static TorchSharp.torch;

namespace Penumbra.Toy.Models;

/// <summary>
/// Trains the toy experts together from scratch as one SegMoE UNet: a shared trunk (every weight SegMoE does not mix) and
/// one copy of the mixed layers per expert. Each step draws a block of rows from every expert's subset and forces those
/// rows through that expert (<see cref="MoeRoute.Forced"/>), so the trunk learns the whole domain while an expert's layers
/// only ever see its own subset. All copies start equal except the text-side projections (cross-attention
/// <c>to_k</c>/<c>to_v</c>), which are initialised independently per expert: training fixes them only on the token states
/// the expert's captions produce, so on states it never saw (a word outside its subset, another language) each expert
/// keeps its own random answer — the deep-ensembles mechanism EMoE reads — while the equal start keeps every other
/// layer's basis shared, so SegMoE's top-k mixtures of experts stay meaningful.
/// </summary>
public static class ToyJointExperts
{
    /// <summary>Trains (or resumes) the joint model; rows per step = <paramref name="rowsPerExpert"/> × each expert's
    /// <see cref="ToyExpertSpec.StepFraction"/> (at least 1); <paramref name="midBlockType"/> and <paramref name="crossAttentionLevels"/> as in <see cref="ToyWorld.UNetConfigFor"/>.
    /// With <paramref name="sharedText"/> other than <see cref="ToySharedText.Everything"/> the trunk's own cross-attention
    /// (the layers SegMoE does not mix, i.e. the mid block's) reads only captions within <paramref name="core"/> (default
    /// <see cref="ToyWorld.Core"/>, the core of <see cref="ToyExpertSet.Concepts"/>): a
    /// row whose caption states a concept some expert never sees gets the empty caption there, or that caption without
    /// those words (<see cref="RowContextProcessor"/>), so only the experts' layers learn those words and the shared trunk
    /// cannot tell every expert what one of them never saw. With <see cref="ToySharedText.CoreWords"/>, a dropped shape
    /// leaves the generic noun, which the mid block would then read on triangle rows only (and learn "a noun I do not know
    /// is a triangle"); <paramref name="genericShapeRate"/> gives it the generic noun on that share of the other rows too.
    /// <paramref name="independentFeedForwards"/> draws every expert's feed-forwards independently as well (their outputs are
    /// summed by SegMoE's mixing, so unlike q/k/v they need no shared basis), for more disagreement where an expert's input
    /// is unlike anything its rows gave it.
    /// Returns the mixture with the EMA weights, routing reset.</summary>
    public static SegMoeModel Train(ToyModelBuilder builder, IReadOnlyList<ToyExpertSpec> experts, ClipTextModel textEncoder,
        DiffusionTrainingOptions options, int rowsPerExpert, IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default,
        string midBlockType = ToyWorld.DefaultMidBlockType, int crossAttentionLevels = 1, ToySharedText sharedText = ToySharedText.Everything,
        double genericShapeRate = 0, bool independentFeedForwards = false, ToyExpertSpec? core = null)
    {
        core ??= ToyWorld.Core;
        if (experts.Count < 2) throw new ArgumentException("joint training needs at least two experts", nameof(experts));
        if (rowsPerExpert < 1) throw new ArgumentOutOfRangeException(nameof(rowsPerExpert), rowsPerExpert, "at least one row per expert");
        if (!(genericShapeRate >= 0 && genericShapeRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(genericShapeRate), genericShapeRate, "a share of rows, in [0, 1]");
        if (genericShapeRate > 0 && sharedText != ToySharedText.CoreWords)
            throw new ArgumentException("a generic-shape share applies to the core-words shared text only", nameof(genericShapeRate));
        manual_seed(options.Seed);
        var unet = new UNet2DConditionModel(ToyWorld.UNetConfigFor(textEncoder.Config.HiddenSize, midBlockType, crossAttentionLevels));
        var moe = SegMoeModel.Convert(unet, ToyWorld.MoeLayoutFor(unet.Config) with { NumExperts = experts.Count });
        using var emptyCaption = sharedText == ToySharedText.Everything ? null : builder.Encode(textEncoder, new[] { "" });
        var coreText = emptyCaption is null ? null : new RowContextProcessor(emptyCaption);
        Tensor? coreWords = null;
        try
        {
            var sharedTextLayers = coreText is null ? Array.Empty<string>() : SetOnSharedCrossAttention(moe, coreText);
            InitialiseTextProjections(moe, options.Seed);
            if (independentFeedForwards) InitialiseFeedForwards(moe, options.Seed);
            int[] rows = experts.Select(e => Math.Max(1, (int)Math.Round(rowsPerExpert * e.StepFraction))).ToArray();
            moe.Routing.Default = MoeRoute.Forced(rows.SelectMany((n, e) => Enumerable.Repeat(e, n)).ToArray());
            var schedule = ConfigJson.Parse<SchedulerConfig>(ToyWorld.SchedulerConfigJson);
            var encoder = new CachedCaptionEncoder(captions => builder.Encode(textEncoder, captions));
            var trainer = new DiffusionTrainer(moe.Unet, schedule, encoder.Encode, options with { BatchSize = rows.Sum() });
            int imageSize = experts[0].Data.ImageSize;
            trainer.Train((step, _) =>
            {
                var samples = experts.SelectMany((spec, e) =>
                    new ToyDataset(spec.Data, unchecked((int)((options.Seed * 7919 + step) * 16 + e))).Take(rows[e])).ToList();
                if (coreText is not null)
                {
                    // genericShapeRate is 0 unless CoreWords, so then no row is drawn.
                    var coin = new Random(unchecked((int)((options.Seed * 7919 + step) * 31 + 7)));
                    bool[] generic = samples.Select(_ => coin.NextDouble() < genericShapeRate).ToArray();
                    coreText.Rows = samples.Select((s, i) => core.Data.Omits(s.Stated) || generic[i]).ToArray();
                    if (sharedText == ToySharedText.CoreWords)
                    {
                        coreWords?.Dispose();
                        coreWords = encoder.Encode(samples.Select((s, i) => CoreCaption(s, core, generic[i])).ToList());
                        coreText.Replacement = coreWords;
                    }
                }
                return new TrainingBatch(ToyImages.ToBatch(samples.Select(s => s.Render(imageSize)).ToList()), samples.Select(s => s.Caption).ToList());
            }, progress, cancellation);
            AttentionProcessors.Set(moe.Unet, ScaledDotProductAttentionProcessor.Instance, sharedTextLayers.Contains);
            moe.Routing.Reset();
            moe.Unet.eval();
            return moe;
        }
        catch
        {
            moe.Dispose();
            throw;
        }
        finally
        {
            coreWords?.Dispose();
        }
    }

    /// <summary>The sample's caption rewritten without the words <paramref name="core"/> never draws (and with the
    /// generic noun for its shape when <paramref name="genericShape"/>), same phrasing and language.</summary>
    internal static string CoreCaption(ToySample sample, ToyExpertSpec core, bool genericShape = false)
    {
        var stated = core.Data.WithoutLeftOut(sample.Stated);
        return ToyCaptions.Write(genericShape ? stated with { Shape = null } : stated, sample.Phrasing, sample.Language);
    }

    /// <summary>Sets <paramref name="processor"/> on every cross-attention layer of the trunk (an <c>attn2</c> whose
    /// <c>to_k</c> SegMoE does not mix); throws when there is none (a text-free mid block and experts owning every text path).</summary>
    private static IReadOnlyList<string> SetOnSharedCrossAttention(SegMoeModel moe, IAttentionProcessor processor)
    {
        var changed = AttentionProcessors.Set(moe.Unet, processor,
            path => path.EndsWith("attn2", StringComparison.Ordinal) && !moe.Blocks.ContainsKey(path + ".to_k"));
        if (changed.Count == 0)
            throw new ArgumentException("the shared trunk has no cross-attention of its own (every text path is an expert's): a core-only shared text needs the UNetMidBlock2DCrossAttn mid block");
        return changed;
    }

    /// <summary>The training options of the joint recipe (<c>toy train --expert-training joint</c>): <paramref name="steps"/>
    /// at peak <paramref name="learningRate"/> after a warm-up of a tenth of the steps (at most 200), EMA weights, a checkpoint
    /// every 250 steps when <paramref name="checkpointDirectory"/> is given; <paramref name="seed"/> is the run's seed.</summary>
    public static DiffusionTrainingOptions Options(int steps, long seed, double learningRate = 2e-3, double emaDecay = 0.999,
        string? checkpointDirectory = null) => new()
    {
        Steps = steps, LearningRate = learningRate, Seed = seed * 100 + 98, EmaDecay = emaDecay,
        CheckpointDirectory = checkpointDirectory, CheckpointEvery = 250, WarmupSteps = Math.Max(1, Math.Min(200, steps / 10)),
    };

    /// <summary>Writes every expert of a joint mixture as a pipeline folder named after its spec under
    /// <paramref name="outputFolder"/>, and the expert trained on the whole domain once more as the merge's base
    /// (<see cref="ToyWorld.Base"/>), so that <c>moe build</c> with the toy yaml merges them.</summary>
    public static void SaveExperts(ToyModelBuilder builder, SegMoeModel moe, IReadOnlyList<ToyExpertSpec> experts, ClipTextModel textEncoder,
        string outputFolder)
    {
        int everything = experts.ToList().FindIndex(e => e.Data.CoversDomain);
        if (everything < 0) throw new InvalidOperationException("joint training needs an expert trained on the whole domain to serve as the merge's base");
        for (int index = 0; index < experts.Count; index++)
        {
            using var unet = Extract(moe, index);
            builder.SavePipeline(Path.Combine(outputFolder, experts[index].Name), unet, textEncoder);
            if (index == everything) builder.SavePipeline(Path.Combine(outputFolder, ToyWorld.Base.Name), unet, textEncoder);
        }
    }

    /// <summary>Expert <paramref name="expert"/> as a plain UNet: the trunk plus that expert's copy of every mixed layer.</summary>
    public static UNet2DConditionModel Extract(SegMoeModel moe, int expert)
    {
        if (expert < 0 || expert >= moe.NumExperts) throw new ArgumentOutOfRangeException(nameof(expert), expert, $"the mixture has {moe.NumExperts} experts");
        var plain = new UNet2DConditionModel(moe.Unet.Config);
        var source = moe.Unet.state_dict();
        var slots = moe.Slots.Select(s => s.Path).ToArray();
        using (no_grad())
            foreach (var (name, tensor) in plain.state_dict())
            {
                string? slot = slots.FirstOrDefault(p => name.StartsWith(p + ".", StringComparison.Ordinal));
                string key = slot is null ? name : $"{slot}.experts.{expert}.{name[(slot.Length + 1)..]}";
                tensor.copy_(source[key]);
            }
        plain.eval();
        return plain;
    }

    /// <summary>Re-draws every expert's feed-forward (see <see cref="RedrawExpertLayers"/>), from a generator of its own so
    /// the text projections' draw is unchanged.</summary>
    private static void InitialiseFeedForwards(SegMoeModel moe, long seed)
    {
        using var generator = new Generator((ulong)(seed * 31 + 17));
        RedrawExpertLayers(moe, generator, path => path.EndsWith(".ff", StringComparison.Ordinal));
    }

    /// <summary>Re-draws every expert's cross-attention to_k/to_v (see <see cref="RedrawExpertLayers"/>) from one generator
    /// seeded with <paramref name="seed"/>.</summary>
    private static void InitialiseTextProjections(SegMoeModel moe, long seed)
    {
        using var generator = new Generator((ulong)(seed * 31 + 13));
        RedrawExpertLayers(moe, generator,
            path => path.EndsWith(".attn2.to_k", StringComparison.Ordinal) || path.EndsWith(".attn2.to_v", StringComparison.Ordinal));
    }

    /// <summary>Re-draws every parameter of every expert of the mixed layers <paramref name="redraw"/> picks as nn.Linear
    /// initialises it (U(±1/√fan_in), a bias with its weight's fan-in), slots in path order, each expert in turn from the
    /// stream of <paramref name="generator"/>.</summary>
    private static void RedrawExpertLayers(SegMoeModel moe, Generator generator, Func<string, bool> redraw)
    {
        foreach (var (path, block) in moe.Blocks.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!redraw(path)) continue;
            for (int e = 0; e < block.NumExperts; e++)
                ToyExpertLayers.DrawLinearInit(block.Expert(e).named_parameters().ToList(), _ => true, generator);
        }
    }
}
