namespace Penumbra.Toy.Models;

/// <summary>How an expert is trained from the shared base.</summary>
public enum ToyExpertTraining
{
    /// <summary>Every UNet weight is fine-tuned; the merge keeps only the expert layers' changes (SegMoE's usual case).</summary>
    FineTune,

    /// <summary>Only the layers SegMoE turns into experts are fine-tuned, the trunk stays the base's: the merge then holds
    /// each expert exactly (a forced expert path of the mixture is that expert).</summary>
    ExpertLayers,

    /// <summary>Fresh, seeded copies of the expert layers are trained on the frozen trunk (an ensemble over the mixed weights).</summary>
    Independent,

    /// <summary>No separate base: trunk and every expert's layers are trained together from scratch, each expert's layers
    /// on its own subset only (<see cref="ToyJointExperts"/>).</summary>
    Joint,
}
