namespace Penumbra.Debias;

/// <summary>Two values of an attribute whose difference spans one direction of the bias subspace
/// (DebiasVL's "male" / "female"; in the toy world "red" / "blue").</summary>
public sealed record AttributePair(string First, string Second);
