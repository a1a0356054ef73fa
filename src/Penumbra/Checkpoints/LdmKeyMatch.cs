namespace Penumbra.Checkpoints;

/// <summary>Where one original tensor goes: its diffusers key(s) (several for <see cref="LdmTensorTransform.Concat"/>,
/// in concatenation order) and the transform.</summary>
public sealed record LdmKeyMatch(IReadOnlyList<string> Diffusers, LdmTensorTransform Transform);
