namespace Penumbra.Toy.Models;

/// <summary>One toy-world expert: the subset of the domain it is trained on and its SegMoE descriptor prompts
/// (positive = what it is good at, negative = what it never saw).</summary>
public sealed record ToyExpertSpec(string Name, string Description, ToyDatasetOptions Data, string PositivePrompt, string NegativePrompt,
    double StepFraction = 1.0);
