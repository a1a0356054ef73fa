namespace Penumbra.MoE;

/// <summary>Progress of a SegMoE build: expert <see cref="Expert"/> of <see cref="ExpertCount"/> (0-based), its stage
/// (<c>load</c>, <c>gates</c> with denoising step <see cref="Step"/> of <see cref="Steps"/>, <c>copy</c>, <c>done</c>).</summary>
public sealed record SegMoeBuildProgress(int Expert, int ExpertCount, string Source, string Stage, int Step, int Steps);
