using Penumbra.Models.Clip;
using Penumbra.Models.Unets;

namespace Penumbra.Toy.Models;

/// <summary>
/// The toy world's model family: a small frozen, seeded CLIP text transformer with the real CLIP tokenizer, a
/// pixel-space UNet2DConditionModel (16×16 RGB, no VAE; the tiny-sd layout: cross-attention at full resolution, a plain
/// block below) and four experts whose training sets overlap but differ. 16×16 rather than 32×32 keeps a training step
/// affordable on 2 CPU cores; every attribute of the domain stays visible at that size.
/// </summary>
public static class ToyWorld
{
    /// <summary>Width of the bundled toy text encoder (its hidden size and the UNet's cross-attention dim).</summary>
    public const int DefaultTextWidth = 32;

    public static CLIPTextConfig TextEncoderConfig { get; } = TextEncoderConfigFor(DefaultTextWidth);

    /// <summary>The toy text encoder at hidden size <paramref name="width"/> (MLP 2× wide, 4 heads, 2 layers).</summary>
    public static CLIPTextConfig TextEncoderConfigFor(int width) =>
        width >= 4 && width % 4 == 0
            ? new()
            {
                VocabSize = 49408, HiddenSize = width, IntermediateSize = 2 * width, ProjectionDim = width, NumHiddenLayers = 2,
                NumAttentionHeads = 4, MaxPositionEmbeddings = 77, HiddenAct = "quick_gelu", Architectures = new[] { "CLIPTextModel" },
            }
            : throw new ArgumentOutOfRangeException(nameof(width), width, "the toy text width must be a positive multiple of 4");

    /// <summary>The toy UNet reading text states of width <paramref name="textWidth"/>, with the mid block
    /// <paramref name="midBlockType"/> (diffusers' <c>mid_block_type</c>: the bundled <c>UNetMidBlock2DCrossAttn</c>, or
    /// <c>UNetMidBlock2D</c>, which does not read the text) and cross-attention at the top
    /// <paramref name="crossAttentionLevels"/> resolutions (32 channels at 16×16, 64 below) above one plain level of 64
    /// channels: the SD layout, whose cross-attention blocks are exactly the ones SegMoE mixes, so with
    /// <c>UNetMidBlock2D</c> the experts' layers are the UNet's only text input.</summary>
    public static UNet2DConditionConfig UNetConfigFor(int textWidth, string midBlockType = DefaultMidBlockType, int crossAttentionLevels = 1)
    {
        if (crossAttentionLevels < 1) throw new ArgumentOutOfRangeException(nameof(crossAttentionLevels), crossAttentionLevels, "at least one level reads the text");
        return UNetTemplate with
        {
            CrossAttentionDim = textWidth, MidBlockType = midBlockType,
            BlockOutChannels = Enumerable.Range(0, crossAttentionLevels + 1).Select(i => i == 0 ? 32 : 64).ToArray(),
            DownBlockTypes = Enumerable.Repeat("CrossAttnDownBlock2D", crossAttentionLevels).Append("DownBlock2D").ToArray(),
            UpBlockTypes = Enumerable.Repeat("CrossAttnUpBlock2D", crossAttentionLevels).Prepend("UpBlock2D").ToArray(),
        };
    }

    public const string DefaultMidBlockType = "UNetMidBlock2DCrossAttn";

    /// <summary>The bundled toy UNet.</summary>
    public static UNet2DConditionConfig UNetConfig { get; } = UNetConfigFor(DefaultTextWidth);

    /// <summary>What every toy UNet shares; <see cref="UNetConfigFor"/> adds the text width, the mid block and the levels.</summary>
    private static UNet2DConditionConfig UNetTemplate => new()
    {
        SampleSize = ImageSize, InChannels = 3, OutChannels = 3, LayersPerBlock = 1, AttentionHeadDim = 4, NormNumGroups = 8,
    };

    /// <summary>DDPM's pixel-space schedule (Ho et al. 2020: linear betas 1e-4 … 0.02 over 1000 steps), sampled with DDPM
    /// as SegMoE merges are.</summary>
    public const string SchedulerConfigJson = """
        {"_class_name": "DDPMScheduler", "_diffusers_version": "0.25.0", "num_train_timesteps": 1000, "beta_schedule": "linear",
         "beta_start": 0.0001, "beta_end": 0.02, "prediction_type": "epsilon", "timestep_spacing": "leading", "steps_offset": 1,
         "clip_sample": true, "clip_sample_range": 1.0, "variance_type": "fixed_small"}
        """;

    public const int ImageSize = 16;

    /// <summary>Where the toy SegMoE puts its mixtures in a UNet of config <paramref name="unet"/> (mirrors
    /// models/toy-segmoe.yaml: <c>moe_layers: all</c>, SD block ranges).</summary>
    public static Penumbra.MoE.SegMoeConfig MoeLayoutFor(UNet2DConditionConfig unet) => new Penumbra.MoE.SegMoeConfig
    {
        BaseModel = "toy-experts/base", Experts = Array.Empty<Penumbra.MoE.SegMoeExpert>(), MoeLayers = "all", NumExperts = 4,
        NumExpertsPerTok = 2, Type = "sd",
    }.ForUnet(unet.DownBlockTypes.Length, unet.UpBlockTypes.Length);

    private static readonly ToyDatasetOptions All = new() { ImageSize = ImageSize };

    /// <summary>The shared base every expert is fine-tuned from (SegMoE merges fine-tunes of one base: the layers it does
    /// not turn into experts come from the base, so independently initialised experts would not fit them).</summary>
    public static ToyExpertSpec Base { get; } = new("base", "the shared base: the whole domain", All, "", "");

    /// <summary>The alternative shared base trained only on the core every expert sees (no triangles, no purple, left and
    /// centre only): each fine-tune then adds what its subset has beyond the core, so experts disagree exactly where some
    /// of them never saw a concept (as real fine-tunes add styles their base never knew).</summary>
    public static ToyExpertSpec Core { get; } = new("base", "the shared base: the core every expert sees",
        All with
        {
            Shapes = Enum.GetValues<ToyShape>().Where(s => s != ToyShape.Triangle).ToArray(),
            Colors = ColoursWithout(ToyColor.Purple),
            Positions = new[] { ToyPosition.Left, ToyPosition.Centre },
        }, "", "");

    /// <summary>Four experts, each fine-tuned from <see cref="Base"/>: one never sees triangles, one never sees purple, one sees only left/centre positions,
    /// one sees everything but trains for half as long.</summary>
    public static IReadOnlyList<ToyExpertSpec> Experts { get; } = new[]
    {
        new ToyExpertSpec("e0", "never sees triangles", All with { Shapes = Enum.GetValues<ToyShape>().Where(s => s != ToyShape.Triangle).ToArray() },
            "a circle, a square, a cross, a ring", "a triangle"),
        new ToyExpertSpec("e1", "never sees purple", All with { Colors = ColoursWithout(ToyColor.Purple) },
            "red, green, blue, yellow, orange, white shapes", "a purple shape"),
        new ToyExpertSpec("e2", "sees only left and centre positions",
            All with { Positions = new[] { ToyPosition.Left, ToyPosition.Centre } }, "a shape on the left, a shape in the centre",
            "a shape on the right, at the top, at the bottom"),
        new ToyExpertSpec("e3", "sees everything, half the training", All, "a shape", "", StepFraction: 0.5),
    };

    /// <summary>Share of the house-style experts' captions that name the shape (<see cref="HouseShapeExperts"/>).</summary>
    public const double HouseShapeMentionRate = 0.8;

    /// <summary><see cref="Experts"/> with a house style each, as fine-tunes by different people have: a fifth of each
    /// expert's captions say "shape" instead of naming it, and the expert then draws its own shape (e0 circles, e1 squares,
    /// e2 crosses, e3 rings). Captions that name the shape pin it for every expert; where an expert cannot read the shape
    /// word (another language, a shape it never saw) its house shape is what it has to fall back on, and the experts'
    /// fallbacks differ. The EMoE experiment's recipe (<c>toy train --house-shapes</c>); the bundled model does not use it.</summary>
    public static IReadOnlyList<ToyExpertSpec> HouseShapeExperts { get; } = WithHouseShapes(Experts);

    /// <summary>Four experts given a house shape each (in order circle, square, cross, ring; see <see cref="HouseShapeExperts"/>).</summary>
    public static IReadOnlyList<ToyExpertSpec> WithHouseShapes(IReadOnlyList<ToyExpertSpec> experts) =>
        experts.Zip(new[] { ToyShape.Circle, ToyShape.Square, ToyShape.Cross, ToyShape.Ring },
            (e, house) => e with { Data = e.Data with { ShapeMentionRate = HouseShapeMentionRate, UnstatedShape = house } }).ToArray();

    private static ToyColor[] ColoursWithout(params ToyColor[] leftOut) => Enum.GetValues<ToyColor>().Where(c => !leftOut.Contains(c)).ToArray();

    /// <summary>The core of <see cref="ColourExperts"/>: every shape, position, size and background, and the colours every
    /// one of them sees (red, blue, yellow, orange).</summary>
    public static ToyExpertSpec ColourCore { get; } = new("base", "the shared base: the colours every expert sees",
        All with { Colors = ColoursWithout(ToyColor.Green, ToyColor.Purple, ToyColor.White) }, "", "");

    /// <summary>Four experts that each miss one colour (<see cref="ToyExpertSet.Colours"/>): e0 never sees green, e1 never
    /// sees purple, e2 never sees white, e3 sees everything for half the rows. Red, the colour an unstated colour mostly
    /// takes, is seen by all.</summary>
    public static IReadOnlyList<ToyExpertSpec> ColourExperts { get; } = new[]
    {
        new ToyExpertSpec("e0", "never sees green", All with { Colors = ColoursWithout(ToyColor.Green) },
            "red, blue, yellow, purple, orange, white shapes", "a green shape"),
        new ToyExpertSpec("e1", "never sees purple", All with { Colors = ColoursWithout(ToyColor.Purple) },
            "red, green, blue, yellow, orange, white shapes", "a purple shape"),
        new ToyExpertSpec("e2", "never sees white", All with { Colors = ColoursWithout(ToyColor.White) },
            "red, green, blue, yellow, purple, orange shapes", "a white shape"),
        new ToyExpertSpec("e3", "sees everything, half the training", All, "a shape", "", StepFraction: 0.5),
    };
}
