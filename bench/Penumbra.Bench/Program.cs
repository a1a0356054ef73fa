using Penumbra.Bench;

// Usage: dotnet run -c Release --project bench/Penumbra.Bench -- [suite ...]
// Suites: matmul (default), unet (tiny-sd and full-size SD 1.5 UNet steps; fixtures from PENUMBRA_FIXTURES or
// ../shared/fixtures). Each suite prints its timings and ratios measured in this run.
var suites = args.Length == 0 ? new[] { "matmul" } : args;
double peak = 0;
foreach (var suite in suites)
{
    switch (suite)
    {
        case "matmul":
            peak = MatmulPeak.Measure();
            break;
        case "unet":
            if (peak == 0) peak = MatmulPeak.Measure();
            UNetStepBench.Run(Environment.GetEnvironmentVariable("PENUMBRA_FIXTURES") ?? Path.Combine("..", "shared", "fixtures"), peak);
            break;
        default:
            Console.Error.WriteLine($"unknown suite '{suite}'; known: matmul, unet");
            return 1;
    }
}
return 0;
