namespace Penumbra.Tests.Models.Unets;

/// <summary>Runs alone: the models are built on the meta device, which TorchSharp selects through a process-wide default.</summary>
[CollectionDefinition(nameof(MetaDeviceCollection), DisableParallelization = true)]
public sealed class MetaDeviceCollection;
