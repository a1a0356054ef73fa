using Penumbra.Bench;

// Usage: dotnet run -c Release --project bench/Penumbra.Bench -- [suite ...]
// Suites: matmul (default). Each suite prints its timings and ratios measured in this run.
var suites = args.Length == 0 ? new[] { "matmul" } : args;
foreach (var suite in suites)
{
    switch (suite)
    {
        case "matmul":
            MatmulPeak.Measure();
            break;
        default:
            Console.Error.WriteLine($"unknown suite '{suite}'; known: matmul");
            return 1;
    }
}
return 0;
