namespace Penumbra.Toy.Models;

/// <summary>What the trunk's own cross-attention (the mid block's, which SegMoE does not mix) reads in the joint
/// recipe (<see cref="ToyJointExperts"/>), for rows whose caption states a concept outside <see cref="ToyWorld.Core"/>.</summary>
public enum ToySharedText
{
    /// <summary>Every caption as it is.</summary>
    Everything,

    /// <summary>The empty caption (<c>toy train --base core</c>).</summary>
    CoreOrEmpty,

    /// <summary>The caption rewritten without its words outside the core (<c>toy train --base core-words</c>): the mid
    /// block still reads the rest (size, core positions, the background), the experts' layers only the dropped words.</summary>
    CoreWords,
}
