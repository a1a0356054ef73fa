using System.Text.Json.Nodes;
using Penumbra.Configs;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;
using Penumbra.Tokenizers;
using Penumbra.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Penumbra.Toy.Models;

/// <summary>
/// Builds the toy world's diffusers folders: the frozen seeded text encoder, and one trained pixel-space UNet per
/// expert, each saved as a full pipeline folder (model_index.json with <c>"vae": [null, null]</c>, scheduler/,
/// tokenizer/, text_encoder/, unet/) that <c>StableDiffusionPipeline.FromPretrained</c> and the SegMoE builder read.
/// Everything is a function of the seed (same seed, same thread count → the same weights).
/// </summary>
public sealed class ToyModelBuilder
{
    private readonly string _tokenizerFolder;
    private readonly ClipTokenizer _tokenizer;

    public ToyModelBuilder(string tokenizerFolder)
    {
        _tokenizerFolder = tokenizerFolder;
        _tokenizer = ClipTokenizer.FromPretrained(tokenizerFolder);
    }

    /// <summary>The frozen text encoder, never trained: initialised as transformers' <c>CLIPPreTrainedModel._init_weights</c>
    /// (matrices and embeddings ~ N(0, 0.02²), layer norms 1/0, biases 0) from a generator seeded with <paramref name="seed"/>,
    /// so it does not depend on the global RNG. <paramref name="tokenEmbeddingStd"/> other than 0.02 scales the token
    /// embeddings alone, so a word's identity outweighs its position in the states (a toy-world experiment, not CLIP's init).</summary>
    public static ClipTextModel BuildTextEncoder(long seed, int width = ToyWorld.DefaultTextWidth, double tokenEmbeddingStd = InitializerRange)
    {
        if (!(tokenEmbeddingStd > 0)) throw new ArgumentOutOfRangeException(nameof(tokenEmbeddingStd), tokenEmbeddingStd, "must be > 0");
        var model = new ClipTextModel(ToyWorld.TextEncoderConfigFor(width));
        using var generator = new Generator((ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().OrderBy(kv => kv.name, StringComparer.Ordinal))
            {
                bool norm = name.Contains("layer_norm") || name.Contains("final_layer_norm");
                if (name.EndsWith(".bias")) p.zero_();
                else if (norm) p.fill_(1.0);
                else p.copy_(normal(0.0, name.Contains("token_embedding") ? tokenEmbeddingStd : InitializerRange, p.shape, generator: generator));
            }
        model.eval();
        foreach (var p in model.parameters()) p.requires_grad = false;
        return model;
    }

    /// <summary>transformers' <c>CLIPConfig.initializer_range</c>.</summary>
    public const double InitializerRange = 0.02;

    /// <summary>Last hidden states [B, 77, D] of the captions (what the UNet is conditioned on).</summary>
    public Tensor Encode(ClipTextModel textEncoder, IReadOnlyList<string> captions)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = captions.Select(c => _tokenizer.EncodeForModel(c).Ids).ToArray();
        var input = tensor(ids.SelectMany(x => x).ToArray(), new long[] { ids.Length, ids[0].Length });
        using var output = textEncoder.Forward(input);
        return scope.MoveToOuter(output.LastHiddenState.detach().clone());
    }

    /// <summary>Trains one UNet on a data subset: from scratch, or from <paramref name="initialWeights"/> as <paramref name="training"/> says
    /// (with <paramref name="textProjectionNoise"/> > 0 the expert's cross-attention to_k/to_v start perturbed, see
    /// <see cref="ToyExpertLayers.PerturbTextProjections"/>).</summary>
    public UNet2DConditionModel TrainExpert(ToyExpertSpec spec, ClipTextModel textEncoder, DiffusionTrainingOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default, UNet2DConditionModel? initialWeights = null,
        ToyExpertTraining training = ToyExpertTraining.FineTune, double textProjectionNoise = 0, string midBlockType = ToyWorld.DefaultMidBlockType,
        int crossAttentionLevels = 1)
    {
        manual_seed(options.Seed);
        var unet = new UNet2DConditionModel(initialWeights?.Config ?? ToyWorld.UNetConfigFor(textEncoder.Config.HiddenSize, midBlockType, crossAttentionLevels));
        if (initialWeights is not null)
            using (no_grad())
            {
                var source = initialWeights.state_dict();
                foreach (var (name, tensor) in unet.state_dict()) tensor.copy_(source[name]);
            }
        if (textProjectionNoise > 0)
        {
            if (initialWeights is null) throw new ArgumentException("perturbing the expert layers needs the base's weights");
            ToyExpertLayers.PerturbTextProjections(unet, textProjectionNoise, options.Seed);
        }
        if (training != ToyExpertTraining.FineTune)
        {
            if (initialWeights is null) throw new ArgumentException($"{training} expert training needs the base's weights for the frozen trunk");
            if (training == ToyExpertTraining.Independent) ToyExpertLayers.Reinitialise(unet, options.Seed);
            else ToyExpertLayers.FreezeTrunk(unet);
        }
        var schedule = ConfigJson.Parse<SchedulerConfig>(ToyWorld.SchedulerConfigJson);
        var trainer = new DiffusionTrainer(unet, schedule, captions => Encode(textEncoder, captions), options);
        trainer.Train((step, _) =>
        {
            var samples = new ToyDataset(spec.Data, unchecked((int)(options.Seed * 7919 + step))).Take(options.BatchSize);
            return new TrainingBatch(ToyImages.ToBatch(samples.Select(s => s.Render(spec.Data.ImageSize)).ToList()), samples.Select(s => s.Caption).ToList());
        }, progress, cancellation);
        unet.eval();
        return unet;
    }

    /// <summary>Writes a diffusers pipeline folder for a pixel-space toy model.</summary>
    public void SavePipeline(string folder, UNet2DConditionModel unet, ClipTextModel textEncoder)
    {
        Directory.CreateDirectory(folder);
        var index = new JsonObject
        {
            ["_class_name"] = "StableDiffusionPipeline", ["_diffusers_version"] = "0.25.0",
            ["scheduler"] = new JsonArray("diffusers", "DDPMScheduler"), ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
            ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"), ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
            ["vae"] = new JsonArray(null, null), ["safety_checker"] = new JsonArray(null, null), ["feature_extractor"] = new JsonArray(null, null),
            ["requires_safety_checker"] = false,
        };
        File.WriteAllText(Path.Combine(folder, "model_index.json"), index.ToJsonString(new() { WriteIndented = true }) + "\n");
        var scheduler = Path.Combine(folder, "scheduler");
        Directory.CreateDirectory(scheduler);
        File.WriteAllText(Path.Combine(scheduler, SchedulerConfig.FileName), ToyWorld.SchedulerConfigJson.Trim() + "\n");
        var tokenizer = Path.Combine(folder, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        foreach (var file in Directory.GetFiles(_tokenizerFolder)) File.Copy(file, Path.Combine(tokenizer, Path.GetFileName(file)), true);
        textEncoder.SavePretrained(Path.Combine(folder, "text_encoder"));
        unet.SavePretrained(Path.Combine(folder, "unet"));
    }
}
