namespace Penumbra.Checkpoints;

/// <summary>The text encoder of a single file: SD 1.x's CLIP ViT-L (<c>cond_stage_model.transformer.*</c>) or
/// SD 2.x's OpenCLIP ViT-H (<c>cond_stage_model.model.*</c>).</summary>
public enum LdmTextEncoderKind
{
    Clip,
    OpenClip,
}
