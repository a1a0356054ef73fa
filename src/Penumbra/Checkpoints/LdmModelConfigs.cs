using Penumbra.Models.Autoencoders;
using Penumbra.Models.Clip;
using Penumbra.Models.Unets;
using Penumbra.Schedulers;

namespace Penumbra.Checkpoints;

/// <summary>The diffusers configs of a single-file checkpoint, inferred from its tensor shapes or read from an original
/// LDM yaml. <see cref="Vae"/> and <see cref="TextEncoder"/> are null when the file has no such component.</summary>
public sealed record LdmModelConfigs(
    LdmTextEncoderKind TextEncoderKind,
    UNet2DConditionConfig UNet,
    AutoencoderKLConfig? Vae,
    CLIPTextConfig? TextEncoder,
    SchedulerConfig Scheduler,
    string Source);
