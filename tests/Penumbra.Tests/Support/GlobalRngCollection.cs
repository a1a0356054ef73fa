namespace Penumbra.Tests.Support;

/// <summary>Tests that compare two runs whose models are initialised from torch's global generator (manual_seed, then a
/// module constructor): they run alone, so no parallel test draws from that generator between the seed and the init.</summary>
[CollectionDefinition(nameof(GlobalRngCollection), DisableParallelization = true)]
public sealed class GlobalRngCollection;
