namespace Penumbra.Toy;

/// <summary>A classification example: the scene, its class label and its group (label × background).</summary>
public sealed record ToyGroupSample(ToyScene Scene, int Label, int Group);
