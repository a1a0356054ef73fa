namespace Penumbra.Toy;

/// <summary>
/// The checker's verdict on one image: <see cref="Score"/> = <see cref="Satisfied"/> / <see cref="Stated"/> (see
/// <see cref="ToyChecker"/>), the stated and detected attributes and the names of the stated attributes that failed.
/// </summary>
public sealed record ToyCheckResult(double Score, int Stated, int Satisfied, ToyPrompt Prompt, ToyDetection Detected, IReadOnlyList<string> Failed);
