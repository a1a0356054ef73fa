namespace Penumbra.Checkpoints;

/// <summary>Where one diffusers tensor comes from: the original key, the transform, and for
/// <see cref="LdmTensorTransform.Concat"/> its part index among <see cref="Parts"/> equal parts along dim 0.</summary>
public sealed record LdmOriginalMatch(string Original, LdmTensorTransform Transform, int Part, int Parts);
