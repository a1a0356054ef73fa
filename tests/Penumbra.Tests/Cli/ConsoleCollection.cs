namespace Penumbra.Tests.Cli;

/// <summary>Tests that redirect Console.Out / Console.Error join this collection: it runs alone, never in parallel
/// with any other test, so no other test's output lands in a captured writer.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection
{
}
