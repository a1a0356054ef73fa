namespace Penumbra.Checkpoints;

/// <summary>One module of the LDM layout and the diffusers module it corresponds to (key prefixes without the
/// component prefix, e.g. <c>input_blocks.1.0</c> = <c>down_blocks.0.resnets.0</c>).</summary>
public sealed record LdmRule(string Original, string Diffusers, LdmRuleKind Kind);
